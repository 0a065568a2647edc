#Requires -Version 7.4
# Export-SupportAccessActivity (issue 14): an evidence file each run continues, nothing lost or
# written twice, crash-safe, one writer at a time. The built module against the emulator.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    $script:ModuleManifest = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1'))
    Import-Module $ModuleManifest -Force
    $script:Emulator = Start-GraphEmulator -BulkRecordCount 3000
    $script:Token = Get-EmulatorToken -Emulator $Emulator
    $script:Connection = Connect-SupportAccess -AccessToken ($Token | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $Emulator.BaseUri -PassThru
    $script:Truth = Get-EmulatorTruth -Emulator $Emulator
    $script:Fast = @{ Connection = $Connection; RequestsPer10Seconds = 0; WarningAction = 'SilentlyContinue' }
    # Every activity of the window, as one whole read gets them (the truth lists the scenario records; bulk ones come on top).
    $script:AllIds = @((Get-SupportAccessActivity @Fast).Id | Sort-Object)

    function script:New-EvidencePath([string] $Extension = 'csv') { Join-Path $TestDrive "evidence-$([guid]::NewGuid().ToString('N')).$Extension" }

    # Every activity in the file once, as one whole read gets them.
    function script:Assert-EveryActivityOnce([string] $Path, [string] $Format = 'Csv') {
        $rows = if ($Format -eq 'Csv') { @(Import-Csv -LiteralPath $Path) } else { @(Get-Content -LiteralPath $Path | ConvertFrom-Json) }
        @($rows.Id | Sort-Object -Unique).Count | Should -Be $rows.Count -Because 'no activity is written twice'
        $AllIds.Count | Should -Be $Truth.total
        @(Compare-Object $AllIds ($rows.Id | Sort-Object)) | Should -BeNullOrEmpty -Because 'every activity is there'
    }
}

AfterAll {
    Disconnect-SupportAccess -Connection $Connection
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Export-SupportAccessActivity' {
    It 'writes a new file exactly as Export-Csv writes the same activities, and says what it did' {
        $path = New-EvidencePath

        $summary = @(Export-SupportAccessActivity -Path $path @Fast)

        $summary.Count | Should -Be 1
        $summary[0] | Should -BeOfType ([SupportAccessLogs.ExportSummary])
        $summary[0].Appended | Should -Be $Truth.total
        $summary[0].AlreadyPresent | Should -Be 0
        $summary[0].GapStart | Should -BeNullOrEmpty
        $expected = ((Get-SupportAccessActivity @Fast | ConvertTo-Csv) -join [Environment]::NewLine) + [Environment]::NewLine
        Get-Content -LiteralPath $path -Raw | Should -BeExactly $expected
        Assert-EveryActivityOnce $path
    }

    It 'continues an existing file: reads the overlap again and appends nothing it holds' {
        $path = New-EvidencePath
        Export-SupportAccessActivity -Path $path @Fast | Out-Null
        $before = Get-Content -LiteralPath $path -Raw

        $summary = Export-SupportAccessActivity -Path $path -Overlap (New-TimeSpan -Days 3) @Fast

        $summary.Appended | Should -Be 0
        $summary.AlreadyPresent | Should -BeGreaterThan 0
        $newest = (Import-Csv -LiteralPath $path | ForEach-Object { [datetime]::Parse($_.ActivityDateTime, [cultureinfo]::InvariantCulture).ToUniversalTime() } | Measure-Object -Maximum).Maximum
        [datetime]$summary.WindowStart | Should -Be ($newest - (New-TimeSpan -Days 3))
        Get-Content -LiteralPath $path -Raw | Should -BeExactly $before
    }

    It 'takes in late activities inside the overlap and new ones, and the file again equals one whole read' {
        $path = New-EvidencePath
        Export-SupportAccessActivity -Path $path @Fast | Out-Null
        $newest = (Import-Csv -LiteralPath $path | ForEach-Object { [datetimeoffset]::Parse($_.ActivityDateTime, [cultureinfo]::InvariantCulture) } | Measure-Object -Maximum).Maximum
        # One event that happened 10 minutes before the file's newest but arrived only now, and one new.
        $late = @($newest.AddMinutes(-10).ToString('o'), [datetimeoffset]::UtcNow.AddMinutes(-5).ToString('o'))
        Invoke-RestMethod -Method Post -Uri ([uri]::new($Emulator.BaseUri, '_emulator/late-records')) -ContentType 'application/json' -Body (@{ times = $late } | ConvertTo-Json) | Out-Null
        try {
            $summary = Export-SupportAccessActivity -Path $path @Fast

            $summary.Appended | Should -Be 2
            $summary.AlreadyPresent | Should -BeGreaterOrEqual 1 -Because 'the file''s newest activity lies in the overlap read again'
            $whole = @((Get-SupportAccessActivity @Fast).Id | Sort-Object)
            $whole.Count | Should -Be ($AllIds.Count + 2)
            $held = @((Import-Csv -LiteralPath $path).Id)
            @($held | Sort-Object -Unique).Count | Should -Be $held.Count
            @(Compare-Object $whole ($held | Sort-Object)) | Should -BeNullOrEmpty -Because 'the file holds what one whole read gets, each once'
        }
        finally {
            Invoke-RestMethod -Method Delete -Uri ([uri]::new($Emulator.BaseUri, '_emulator/late-records')) | Out-Null
        }
    }

    It 'repairs a record cut short by a run that stopped mid-write, then holds every activity once' {
        $path = New-EvidencePath
        Export-SupportAccessActivity -Path $path @Fast | Out-Null
        $text = Get-Content -LiteralPath $path -Raw
        # What a kill mid-write leaves: the file's first 80 % of characters, the last record cut anywhere.
        Set-Content -LiteralPath $path -Value $text.Substring(0, [int]($text.Length * 0.8)) -NoNewline

        $summary = Export-SupportAccessActivity -Path $path -Overlap (New-TimeSpan -Days 30) @Fast -WarningVariable warnings

        $summary.RepairedBytes | Should -BeGreaterThan 0
        "$warnings" | Should -Match 'cut short'
        $summary.Appended | Should -BeGreaterThan 0
        Assert-EveryActivityOnce $path
        # The missing records are the oldest, read and appended newest first: the whole export again.
        Get-Content -LiteralPath $path -Raw | Should -BeExactly $text
    }

    It 'survives kill -9 mid-run (<Format>, page <Page> held): the next run repairs and completes the file' -ForEach @(
        @{ Format = 'Csv'; Page = 2; Extension = 'csv' }
        @{ Format = 'Csv'; Page = 3; Extension = 'csv' }
        @{ Format = 'JsonLines'; Page = 3; Extension = 'jsonl' }
    ) {
        $path = New-EvidencePath $Extension
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'slow'; page = $Page; delayMs = 20000 }
        try {
            $script = "Import-Module '$ModuleManifest'; Connect-SupportAccess -AccessToken (ConvertTo-SecureString '$Token' -AsPlainText -Force) -GraphEndpoint '$($Emulator.BaseUri)' | Out-Null; Export-SupportAccessActivity -Path '$path' -Format $Format -RequestsPer10Seconds 0 -WarningAction SilentlyContinue"
            $pwsh = Get-PwshCommand
            $child = Start-Process -FilePath $pwsh[0] -ArgumentList (@($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-Command', $script)) -PassThru
            # The pages before the held one are written (about 560 KB each in CSV); then the kill,
            # with no chance to clean up.
            $written = 250000 * ($Page - 1)
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while ((-not (Test-Path -LiteralPath $path) -or (Get-Item -LiteralPath $path).Length -lt $written) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Start-Sleep -Milliseconds 300
            Stop-Process -Id $child.Id -Force
            $child.WaitForExit()
        }
        finally {
            Set-EmulatorFault -Emulator $Emulator -Fault @()
        }
        $partial = if ($Format -eq 'Csv') { @(Import-Csv -LiteralPath $path).Count } else { @(Get-Content -LiteralPath $path).Count }
        $partial | Should -BeGreaterThan 0
        $partial | Should -BeLessThan $Truth.total -Because 'the run was killed before it finished'

        Export-SupportAccessActivity -Path $path -Format $Format -Overlap (New-TimeSpan -Days 30) @Fast | Out-Null

        Assert-EveryActivityOnce $path $Format
    }

    It 'lets one run write at a time: a second waits, then fails clearly when the first holds on' {
        $path = New-EvidencePath
        Export-SupportAccessActivity -Path $path @Fast | Out-Null
        $held = [System.IO.File]::Open($path, 'Open', 'ReadWrite', 'None')
        try {
            $started = [datetime]::UtcNow
            { Export-SupportAccessActivity -Path $path -Timeout (New-TimeSpan -Seconds 2) @Fast -ErrorAction Stop } | Should -Throw -ErrorId 'EvidenceFileBusy,*'
            ([datetime]::UtcNow - $started).TotalSeconds | Should -BeGreaterOrEqual 2
        }
        finally {
            $held.Dispose()
        }

        # Two runs at once: the second waits for the first, and the file holds every activity once.
        $jobs = 1..2 | ForEach-Object {
            Start-ThreadJob -ScriptBlock {
                param($Manifest, $Connection, $Path)
                Import-Module $Manifest
                Export-SupportAccessActivity -Path $Path -Connection $Connection -Overlap (New-TimeSpan -Days 30) -RequestsPer10Seconds 0 -WarningAction SilentlyContinue
            } -ArgumentList $ModuleManifest, $Connection, $path
        }
        $summaries = @($jobs | Wait-Job | Receive-Job)
        $jobs | Remove-Job
        $summaries.Count | Should -Be 2
        ($summaries | Measure-Object Appended -Sum).Sum | Should -Be 0
        Assert-EveryActivityOnce $path
    }

    It 'refuses a file it did not write, and leaves it as it was' {
        $path = New-EvidencePath
        Set-Content -LiteralPath $path -Value "Name,Value`nsomething,else`n" -NoNewline
        $before = Get-Content -LiteralPath $path -Raw

        { Export-SupportAccessActivity -Path $path @Fast -ErrorAction Stop } | Should -Throw -ErrorId 'EvidenceFileNotOurs,*'

        Get-Content -LiteralPath $path -Raw | Should -BeExactly $before
        { Export-SupportAccessActivity -Path (New-EvidencePath) -Overlap 30 @Fast } | Should -Throw -ErrorId 'OverlapInvalid,*'
    }

    It 'stops at a gap past Graph''s 30 days, naming the days and the fix; -AllowGap goes on and records it' {
        $path = New-EvidencePath
        # A file whose newest activity is 40 days old: the schedule stopped for longer than the retention.
        $old = @(Get-SupportAccessActivity @Fast -First 1 | ConvertTo-Csv)
        $old[1] = $old[1] -replace '^"[^"]+"', ('"' + [datetime]::UtcNow.AddDays(-40).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") + '"')
        Set-Content -LiteralPath $path -Value (($old -join [Environment]::NewLine) + [Environment]::NewLine) -NoNewline
        $before = Get-Content -LiteralPath $path -Raw

        $failure = $null
        try { Export-SupportAccessActivity -Path $path @Fast -ErrorAction Stop } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'EvidenceGap,*'
        $failure.Exception.Message | Should -Match '-WorkspaceId'
        $failure.Exception.Message | Should -Match '-AllowGap'
        Get-Content -LiteralPath $path -Raw | Should -BeExactly $before

        $summary = Export-SupportAccessActivity -Path $path -AllowGap @Fast -WarningVariable warnings
        [datetime]$summary.GapStart | Should -BeLessThan ([datetime]::UtcNow.AddDays(-39))
        [datetime]$summary.GapEnd | Should -BeGreaterThan ([datetime]::UtcNow.AddDays(-30))
        "$warnings" | Should -Match 'misses activity'
        $summary.Appended | Should -Be ($Truth.total - 1)
    }

    It 'writes many tenants into one file, each activity once with its tenant, each tenant continued from its own newest' {
        $fabrikam = Start-GraphEmulator -Seed 7 -TenantId '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
        try {
            $other = Connect-SupportAccess -AccessToken (Get-EmulatorToken -Emulator $fabrikam -Claims @{ tid = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' } | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $fabrikam.BaseUri -PassThru
            $otherIds = @((Get-SupportAccessActivity -Connection $other -RequestsPer10Seconds 0 -WarningAction SilentlyContinue).Id)
            $path = New-EvidencePath

            $first = $Connection, $other | Export-SupportAccessActivity -Path $path -RequestsPer10Seconds 0 -WarningAction SilentlyContinue
            $second = $Connection, $other | Export-SupportAccessActivity -Path $path -RequestsPer10Seconds 0 -WarningAction SilentlyContinue

            $first.Appended | Should -Be ($AllIds.Count + $otherIds.Count)
            $second.Appended | Should -Be 0
            $rows = @(Import-Csv -LiteralPath $path)
            @($rows | Where-Object TenantId -EQ $other.TenantId).Count | Should -Be $otherIds.Count
            @($rows | Where-Object TenantId -EQ $Connection.TenantId).Count | Should -Be $AllIds.Count
            @($rows | ForEach-Object { "$($_.TenantId)|$($_.Id)" } | Sort-Object -Unique).Count | Should -Be $rows.Count
            Disconnect-SupportAccess -Connection $other
        }
        finally {
            Stop-GraphEmulator -Emulator $fabrikam
        }
    }

    It 'keeps JSON Lines the same way, read back by ConvertFrom-Json and Get-SupportAccessRequest' {
        $path = New-EvidencePath 'jsonl'

        $first = Export-SupportAccessActivity -Path $path -Format JsonLines @Fast
        $second = Export-SupportAccessActivity -Path $path -Format JsonLines @Fast

        $first.Appended | Should -Be $Truth.total
        $second.Appended | Should -Be 0
        Assert-EveryActivityOnce $path 'JsonLines'
        $requests = @(Get-Content -LiteralPath $path | ConvertFrom-Json | Get-SupportAccessRequest -WarningAction SilentlyContinue)
        $requests.Count | Should -Be @(Get-SupportAccessRequest @Fast).Count
    }
}
