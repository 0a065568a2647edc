#Requires -Version 7.5
# Export-SupportAccessActivity stopped at any point (kill -9, Ctrl+C, a page that fails for good,
# a token that expires, one tenant of three failing), then ONE run with the default parameters:
# the file must hold every activity exactly once. The built module against the emulator: 3,110
# activities of the home tenant on four pages (999, 999, 999, 113), Fabrikam's 85 on one page,
# Woodgrove's 1,585 on two.
#
# The runs that are killed run with the default parameters in a child pwsh (its own pacing
# budget). The runs in this process pass -Path and -Connection and nothing else that changes
# what is read: the default overlap, window and retries. They do pass -RequestsPer10Seconds 0,
# because every run here shares this process's pacing budget for the tenant and would wait for
# it (10 s or more per test); pacing only spaces the requests out, it changes nothing read.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    $script:ModuleManifest = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1'))
    Import-Module $ModuleManifest -Force

    $script:FabrikamId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
    $script:WoodgroveId = 'c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f'
    # Woodgrove with 1,500 bulk records: 1,585 activities on two pages.
    $script:Emulator = Start-GraphEmulator -BulkRecordCount 3000 -OtherTenant 'fabrikam', 'woodgrove:bulk=1500'
    $script:HomeId = (Get-EmulatorTruth -Emulator $Emulator).tenantId
    $script:Token = @{}
    $script:Connection = @{}
    foreach ($tenant in $HomeId, $FabrikamId, $WoodgroveId) {
        $Token[$tenant] = Get-EmulatorToken -Emulator $Emulator -TenantId $tenant
        $Connection[$tenant] = Connect-SupportAccess -AccessToken ($Token[$tenant] | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $Emulator.BaseUri -PassThru
    }

    # Every activity of each tenant, as one whole read gets them.
    $script:AllIds = @{}
    foreach ($tenant in $Connection.Keys) {
        $AllIds[$tenant] = @((Get-SupportAccessActivity -Connection $Connection[$tenant] -RequestsPer10Seconds 0 -WarningAction SilentlyContinue).Id | Sort-Object)
    }
    $AllIds[$HomeId].Count | Should -Be 3110
    $AllIds[$FabrikamId].Count | Should -Be 85
    $AllIds[$WoodgroveId].Count | Should -Be 1585

    function script:New-EvidencePath([string] $Extension = 'csv') { Join-Path $TestDrive "evidence-$([guid]::NewGuid().ToString('N')).$Extension" }

    # The file's rows (TenantId, Id) as Import-Csv or ConvertFrom-Json reads them.
    function script:Read-Evidence([string] $Path) {
        if ($Path -like '*.jsonl') { @(Get-Content -LiteralPath $Path | Where-Object { $_ } | ConvertFrom-Json) } else { @(Import-Csv -LiteralPath $Path) }
    }

    # Every activity of each tenant once, and nothing else.
    function script:Assert-EveryActivityOnce([string] $Path, [string[]] $Tenants = @($HomeId)) {
        $rows = Read-Evidence $Path
        @($rows | ForEach-Object { "$($_.TenantId)|$($_.Id)" } | Sort-Object -Unique).Count | Should -Be $rows.Count -Because 'no activity is written twice'
        @($rows.TenantId | Sort-Object -Unique) | Should -Be @($Tenants | Sort-Object) -Because 'the file holds the tenants read, and no other'
        foreach ($tenant in $Tenants) {
            $held = @(($rows | Where-Object TenantId -EQ $tenant).Id | Sort-Object)
            @(Compare-Object $AllIds[$tenant] $held) | Should -BeNullOrEmpty -Because "every activity of tenant $tenant is there, once"
        }
        $rows.Count | Should -Be (($Tenants | ForEach-Object { $AllIds[$_].Count } | Measure-Object -Sum).Sum)
    }

    # The checkpoint's JSON, its times kept as the text it holds (-DateKind: PowerShell 7.5).
    function script:Read-Checkpoint([string] $Path) { Get-Content -LiteralPath "$Path.checkpoint" -Raw | ConvertFrom-Json -DateKind String }

    # A default export in a child pwsh, which the test stops; its output goes to files beside the evidence.
    function script:Start-ChildExport([string] $Path, [string[]] $Tenants = @($HomeId), [string] $Format) {
        $lines = @('$ErrorActionPreference = ''Stop''', "Import-Module '$ModuleManifest'", '$connections = @()')
        foreach ($tenant in $Tenants) {
            $lines += "`$connections += Connect-SupportAccess -AccessToken (ConvertTo-SecureString '$($Token[$tenant])' -AsPlainText -Force) -GraphEndpoint '$($Emulator.BaseUri)' -PassThru"
        }
        $formatArgument = if ($Format) { " -Format $Format" } else { '' }
        $lines += "`$connections | Export-SupportAccessActivity -Path '$Path'$formatArgument | Out-Null"
        $scriptPath = "$Path.child.ps1"
        Set-Content -LiteralPath $scriptPath -Value ($lines -join [Environment]::NewLine)
        $pwsh = Get-PwshCommand
        Start-Process -FilePath $pwsh[0] -ArgumentList (@($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $scriptPath)) `
            -RedirectStandardOutput "$Path.child-out.txt" -RedirectStandardError "$Path.child-err.txt" -PassThru
    }

    # Waits until the scripted fault rule number $Rule (0-based) has fired all its times: the
    # request it holds has arrived, so every page before it was handed over and appended.
    function script:Wait-FaultFired($Child, [int] $Rule = 0, [int] $TimeoutSeconds = 60) {
        $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
        while ([datetime]::UtcNow -lt $deadline) {
            $rules = @(Invoke-RestMethod -Uri ([uri]::new($Emulator.BaseUri, '_emulator/faults')) | ForEach-Object { $_ })
            if ($rules[$Rule].remaining -eq 0) { return }
            if ($Child -and $Child.HasExited) {
                throw "The child export ended (exit $($Child.ExitCode)) before the fault fired: $(Get-Content -Raw -LiteralPath "$($Child.StartInfo.RedirectStandardError)" -ErrorAction Ignore)"
            }
            Start-Sleep -Milliseconds 50
        }
        throw "The fault rule $Rule did not fire within $TimeoutSeconds s."
    }

    function script:Stop-Hard($Child) {
        $Child.Kill()   # SIGKILL on Linux: no finally block, no flush, no checkpoint
        $Child.WaitForExit()
    }

    # Unpaced: see the top of the file.
    $script:Unpaced = @{ RequestsPer10Seconds = 0 }

    # ONE run with the default parameters; its summary, warnings and errors.
    function script:Invoke-DefaultExport([string] $Path, [string[]] $Tenants = @($HomeId)) {
        $warnings = $null
        $errors = $null
        $summary = @($Tenants | ForEach-Object { $Connection[$_] } | Export-SupportAccessActivity -Path $Path @Unpaced -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors -ErrorAction SilentlyContinue)
        [pscustomobject]@{ Summary = $summary; Warnings = @($warnings); Errors = @($errors) }
    }

    # The bytes of the file before the torn tail cut off are still the file's first bytes.
    function script:Assert-Prefix([byte[]] $Before, [string] $Path, [long] $RepairedBytes) {
        $after = [System.IO.File]::ReadAllBytes($Path)
        $kept = $Before.Length - $RepairedBytes
        $after.Length | Should -BeGreaterOrEqual $kept
        [Convert]::ToBase64String($after, 0, $kept) | Should -BeExactly ([Convert]::ToBase64String($Before, 0, $kept)) -Because 'a run only appends (and cuts off a torn record)'
    }

    $script:CsvHeaderLength = [System.Text.Encoding]::UTF8.GetByteCount(((Get-SupportAccessActivity -Connection $Connection[$FabrikamId] -First 1 -RequestsPer10Seconds 0 -WarningAction SilentlyContinue | ConvertTo-Csv)[0]) + "`n")
}

AfterAll {
    Set-EmulatorFault -Emulator $Emulator -Fault @() -ErrorAction Ignore
    Disconnect-SupportAccess -All
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Export-SupportAccessActivity killed with kill -9, then one default run' {
    AfterEach {
        Set-EmulatorFault -Emulator $Emulator -Fault @()
    }

    It 'during the first page (nothing written yet): the next run reads the whole window' {
        $path = New-EvidencePath
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'slow'; page = 1; delayMs = 60000 }
        $child = Start-ChildExport $path
        Wait-FaultFired $child
        Start-Sleep -Milliseconds 200
        Stop-Hard $child
        Set-EmulatorFault -Emulator $Emulator -Fault @()

        (Get-Item -LiteralPath $path).Length | Should -Be $CsvHeaderLength -Because 'only the header was written'
        $checkpoint = Read-Checkpoint $path
        $checkpoint.tenants.Count | Should -Be 1
        @($checkpoint.tenants[0].pending).Count | Should -Be 1 -Because 'the window the run set out to read is recorded before the first request'
        $checkpoint.tenants[0].pending[0][1] | Should -Be $checkpoint.tenants[0].readTo

        $run = Invoke-DefaultExport $path

        $run.Errors | Should -BeNullOrEmpty
        $run.Summary[0].Appended | Should -Be 3110
        $run.Summary[0].AlreadyPresent | Should -Be 0
        $run.Summary[0].RepairedBytes | Should -Be 0
        $run.Summary[0].Resumed | Should -Match $HomeId
        Assert-EveryActivityOnce $path
    }

    It 'after one page (<Format>)' -ForEach @(
        @{ Format = 'Csv'; Extension = 'csv' }
        @{ Format = 'JsonLines'; Extension = 'jsonl' }
    ) {
        $path = New-EvidencePath $Extension
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'slow'; page = 2; delayMs = 60000 }
        $child = Start-ChildExport $path -Format $Format
        Wait-FaultFired $child
        Start-Sleep -Milliseconds 300
        Stop-Hard $child
        Set-EmulatorFault -Emulator $Emulator -Fault @()
        $before = [System.IO.File]::ReadAllBytes($path)

        $run = Invoke-DefaultExport $path

        $run.Errors | Should -BeNullOrEmpty
        $summary = $run.Summary[0]
        $summary.Format | Should -Be $Format
        $held = 3110 - $summary.Appended
        $held | Should -BeGreaterThan 900 -Because 'page 1 (999 activities) was written, less what the kill caught in the buffer'
        $held | Should -BeLessOrEqual 999
        Assert-Prefix $before $path $summary.RepairedBytes
        if ($summary.RepairedBytes -gt 0) {
            "$($run.Warnings)" | Should -Match 'cut short'
            [System.IO.File]::ReadAllBytes($summary.TornRecordPath).Length | Should -Be $summary.RepairedBytes
        }
        Assert-EveryActivityOnce $path
    }

    It 'half-way (JSON Lines): the checkpoint says how far the run got, and the next run resumes there' {
        $path = New-EvidencePath 'jsonl'
        # Page 3 is held ten minutes (the emulator's longest delay): longer than the test would wait.
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'slow'; page = 3; delayMs = 600000 }
        $child = Start-ChildExport $path -Format JsonLines
        Wait-FaultFired $child
        Start-Sleep -Milliseconds 300
        Stop-Hard $child
        Set-EmulatorFault -Emulator $Emulator -Fault @()

        # A checkpoint after 1,000 activities (during page 2): pending is [window start, oldest written].
        $checkpoint = Read-Checkpoint $path
        $pending = @($checkpoint.tenants[0].pending)
        $pending.Count | Should -Be 1
        [datetime]$pending[0][1] | Should -BeLessThan ([datetime]$checkpoint.tenants[0].readTo).AddDays(-1) -Because 'the run recorded its progress after 1,000 activities'
        $checkpoint.file.length | Should -BeLessOrEqual (Get-Item -LiteralPath $path).Length

        $run = Invoke-DefaultExport $path

        $run.Errors | Should -BeNullOrEmpty
        $run.Summary[0].Resumed | Should -Match "$HomeId.*$([regex]::Escape($pending[0][0]))"
        $held = 3110 - $run.Summary[0].Appended
        $held | Should -BeGreaterThan 1900
        $held | Should -BeLessOrEqual 1998
        Assert-EveryActivityOnce $path
    }

    It 'during the last page (a page cut by a reset, its retry held)' {
        $path = New-EvidencePath
        # Page 4 (113 activities): the first 60 are handed over, the connection resets, and the
        # retry of page 4 is held until the kill.
        Set-EmulatorFault -Emulator $Emulator -Fault @(
            @{ kind = 'reset'; page = 4; afterRecords = 60 }
            @{ kind = 'slow'; page = 4; delayMs = 60000 }
        )
        $child = Start-ChildExport $path
        Wait-FaultFired $child -Rule 1
        Start-Sleep -Milliseconds 300
        Stop-Hard $child
        Set-EmulatorFault -Emulator $Emulator -Fault @()
        $before = [System.IO.File]::ReadAllBytes($path)

        $run = Invoke-DefaultExport $path

        $run.Errors | Should -BeNullOrEmpty
        $held = 3110 - $run.Summary[0].Appended
        $held | Should -BeGreaterThan 2997 -Because 'pages 1 to 3 and part of page 4 were written'
        $held | Should -BeLessThan 3110
        Assert-Prefix $before $path $run.Summary[0].RepairedBytes
        Assert-EveryActivityOnce $path
    }

    It 'while the checkpoint is being written (best effort: the kill follows the first sign of it)' {
        $path = New-EvidencePath
        $checkpointPath = "$path.checkpoint"
        $temporary = "$checkpointPath.tmp"
        # Page 3 held, so the run can't end first: the checkpoint after 1,000 activities (during
        # page 2; or after 5 s, at the first activity, on a slow machine) is the one to catch.
        # Page 3 is held ten minutes (the emulator's longest delay): longer than the test would wait.
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'slow'; page = 3; delayMs = 600000 }
        $child = Start-ChildExport $path
        $deadline = [datetime]::UtcNow.AddSeconds(60)
        # The first checkpoint is written before the first request; the next one is the target.
        while (-not [System.IO.File]::Exists($checkpointPath)) {
            if ([datetime]::UtcNow -gt $deadline -or $child.HasExited) { throw 'The child export wrote no checkpoint.' }
            Start-Sleep -Milliseconds 2
        }
        $first = [System.IO.FileInfo]::new($checkpointPath)
        $stamp = "$($first.LastWriteTimeUtc.Ticks)|$($first.Length)"
        $seen = $null
        while (-not $seen) {
            if ([System.IO.File]::Exists($temporary)) { $seen = 'the temporary checkpoint'; break }
            $now = [System.IO.FileInfo]::new($checkpointPath)
            if ("$($now.LastWriteTimeUtc.Ticks)|$($now.Length)" -ne $stamp) { $seen = 'the checkpoint just renamed into place'; break }
            if ([datetime]::UtcNow -gt $deadline -or $child.HasExited) { throw 'No checkpoint was written after the first.' }
        }
        $child.Kill()
        $child.WaitForExit()
        Set-EmulatorFault -Emulator $Emulator -Fault @()
        Write-Host "    killed on seeing $seen; temporary left: $([System.IO.File]::Exists($temporary))"
        (Read-Checkpoint $path).schema | Should -Be 'SupportAccessLogs/EvidenceCheckpoint/1' -Because 'the checkpoint in place is the old one or the new one, whole'
        (Read-Checkpoint $path).file.length | Should -BeLessOrEqual (Get-Item -LiteralPath $path).Length -Because 'the data is on disk before the checkpoint that describes it'
        if (-not [System.IO.File]::Exists($temporary)) {
            # What a kill inside the write leaves when it lands there: half a temporary file beside the old checkpoint.
            $text = Get-Content -LiteralPath $checkpointPath -Raw
            Set-Content -LiteralPath $temporary -Value $text.Substring(0, [int]($text.Length / 2)) -NoNewline
        }

        $run = Invoke-DefaultExport $path

        $run.Errors | Should -BeNullOrEmpty
        Assert-EveryActivityOnce $path
        Test-Path -LiteralPath $temporary | Should -BeFalse -Because 'the next checkpoint replaced the half-written one'
        (Read-Checkpoint $path).file.length | Should -Be (Get-Item -LiteralPath $path).Length
    }

    It 'half-way, then again while the next run resumes, then one more default run' {
        $path = New-EvidencePath
        # Page 3 is held ten minutes (the emulator's longest delay): longer than the test would wait.
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'slow'; page = 3; delayMs = 600000 }
        $child = Start-ChildExport $path
        Wait-FaultFired $child
        Start-Sleep -Milliseconds 300
        Stop-Hard $child
        $firstPending = @((Read-Checkpoint $path).tenants[0].pending)
        $firstPending.Count | Should -Be 1

        # The next run reads the overlap (one page), then the pending window (the 2,110 activities
        # older than the checkpoint after 1,000: three pages, the first of them held already):
        # killed when it asks for the third.
        # Page 3 is held ten minutes (the emulator's longest delay): longer than the test would wait.
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'slow'; page = 3; delayMs = 600000 }
        $child = Start-ChildExport $path
        Wait-FaultFired $child
        Start-Sleep -Milliseconds 300
        Stop-Hard $child
        Set-EmulatorFault -Emulator $Emulator -Fault @()
        $secondPending = @((Read-Checkpoint $path).tenants[0].pending)
        $secondPending.Count | Should -Be 1
        $secondPending[0][0] | Should -Be $firstPending[0][0]
        [datetime]$secondPending[0][1] | Should -BeLessThan ([datetime]$firstPending[0][1]) -Because 'the resuming run recorded how far it got into the pending window'

        $run = Invoke-DefaultExport $path

        $run.Errors | Should -BeNullOrEmpty
        $run.Summary[0].Resumed | Should -Match ([regex]::Escape($secondPending[0][0]))
        $run.Summary[0].Appended | Should -BeLessThan 200 -Because 'only the last page (112) and what the kills caught in the buffer were missing'
        Assert-EveryActivityOnce $path
    }

    It 'between tenants: one tenant read to its end, the other half-way' {
        $path = New-EvidencePath
        # Only the home tenant has a page 3; Fabrikam's single page is read at once.
        # Page 3 is held ten minutes (the emulator's longest delay): longer than the test would wait.
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'slow'; page = 3; delayMs = 600000 }
        $child = Start-ChildExport $path -Tenants $HomeId, $FabrikamId
        Wait-FaultFired $child
        Start-Sleep -Milliseconds 300
        Stop-Hard $child
        Set-EmulatorFault -Emulator $Emulator -Fault @()
        $partial = @(Import-Csv -LiteralPath $path | Where-Object { $_.TenantId -eq $FabrikamId -and $_.ClassificationReason })
        $partial.Count | Should -Be 85 -Because 'Fabrikam was read to its end before the kill'

        $run = Invoke-DefaultExport $path -Tenants $HomeId, $FabrikamId

        $run.Errors | Should -BeNullOrEmpty
        $run.Summary.Count | Should -Be 1
        $run.Summary[0].Complete | Should -BeTrue
        $run.Summary[0].Resumed | Should -Match $HomeId
        $run.Summary[0].Appended | Should -BeGreaterThan 1000 -Because 'the home tenant had read two pages of four'
        $run.Summary[0].Appended | Should -BeLessThan 1300
        Assert-EveryActivityOnce $path -Tenants $HomeId, $FabrikamId
    }
}

Describe 'Export-SupportAccessActivity stopped in other ways, then one default run' {
    AfterEach {
        Set-EmulatorFault -Emulator $Emulator -Fault @()
    }

    It 'Ctrl+C (the pipeline stopped): the run commits what it wrote before it ends' {
        $path = New-EvidencePath
        # Page 3 is held ten minutes (the emulator's longest delay): longer than the test would wait.
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'slow'; page = 3; delayMs = 600000 }
        Clear-EmulatorRequestLog -Emulator $Emulator
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Manifest, $Connection, $Path)
                    Import-Module $Manifest
                    Export-SupportAccessActivity -Path $Path -Connection $Connection -RequestsPer10Seconds 0 -WarningAction SilentlyContinue
                }).AddArgument($ModuleManifest).AddArgument($Connection[$HomeId]).AddArgument($path)
            $handle = $ps.BeginInvoke()
            Wait-FaultFired
            Start-Sleep -Milliseconds 300
            $stopping = $ps.BeginStop($null, $null)
            # Only against a hang: a stop that waited for the held page would not end for ten minutes.
            $stopping.AsyncWaitHandle.WaitOne([timespan]::FromMinutes(2)) | Should -BeTrue -Because 'Ctrl+C ends the run, not when the held page comes'
            $ps.EndStop($stopping)
            $handle.IsCompleted | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            # The emulator logs a request once its connection ends: the held page's entry, ten
            # minutes before its answer, shows Ctrl+C cancelled that request.
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            do {
                $closed = @(Get-EmulatorRequest -Emulator $Emulator | Where-Object fault -EQ 'slow')
                if ($closed.Count -gt 0) { break }
                Start-Sleep -Milliseconds 100
            } while ([datetime]::UtcNow -lt $deadline)
            $closed.Count | Should -Be 1 -Because 'the request of the held page was cancelled'
        }
        finally {
            $ps.Dispose()
        }
        Set-EmulatorFault -Emulator $Emulator -Fault @()

        # The finally block flushed the data and wrote a checkpoint that describes all of it.
        $length = (Get-Item -LiteralPath $path).Length
        $checkpoint = Read-Checkpoint $path
        $checkpoint.file.length | Should -Be $length
        @($checkpoint.tenants[0].pending).Count | Should -Be 1
        $bytes = [System.IO.File]::ReadAllBytes($path)
        $bytes[-1] | Should -Be 10 -Because 'no record was left torn'
        @(Import-Csv -LiteralPath $path).Count | Should -Be 1998 -Because 'pages 1 and 2 were written whole'

        $run = Invoke-DefaultExport $path

        $run.Errors | Should -BeNullOrEmpty
        $run.Summary[0].RepairedBytes | Should -Be 0
        $run.Summary[0].Appended | Should -Be (3110 - 1998)
        $run.Summary[0].Resumed | Should -Match $HomeId
        Assert-EveryActivityOnce $path
    }

    It 'a page that fails after all its retries (503, default retries)' {
        $path = New-EvidencePath
        # Retry-After: 0, so the default five retries take no time.
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'unavailable503'; page = 3; times = 1000; retryAfterSeconds = 0 }
        $failure = $null
        try { Export-SupportAccessActivity -Path $path -Connection $Connection[$HomeId] @Unpaced -WarningAction SilentlyContinue -ErrorAction Stop } catch { $failure = $_ }
        Set-EmulatorFault -Emulator $Emulator -Fault @()

        $failure.FullyQualifiedErrorId | Should -BeLike 'GraphUnavailable,*'
        $failure.Exception.Message | Should -Match 'Gave up after 6 tries'
        $checkpoint = Read-Checkpoint $path
        $checkpoint.file.length | Should -Be (Get-Item -LiteralPath $path).Length -Because 'the run committed what it wrote before it reported the error'
        @($checkpoint.tenants[0].pending).Count | Should -Be 1
        @(Import-Csv -LiteralPath $path).Count | Should -Be 1998

        $run = Invoke-DefaultExport $path

        $run.Errors | Should -BeNullOrEmpty
        $run.Summary[0].Appended | Should -Be (3110 - 1998)
        $run.Summary[0].Resumed | Should -Match $HomeId
        Assert-EveryActivityOnce $path
    }

    It 'takes in activities that arrive late while the file waits to be resumed: in the window left unread, in the overlap, and new' {
        $path = New-EvidencePath
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'unavailable503'; page = 3; times = 1000; retryAfterSeconds = 0 }
        { Export-SupportAccessActivity -Path $path -Connection $Connection[$HomeId] @Unpaced -WarningAction SilentlyContinue -ErrorAction Stop } | Should -Throw -ErrorId 'GraphUnavailable,*'
        Set-EmulatorFault -Emulator $Emulator -Fault @()
        $checkpoint = Read-Checkpoint $path
        $pending = $checkpoint.tenants[0].pending[0]
        $readTo = [datetime]::Parse($checkpoint.tenants[0].readTo, [cultureinfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::AdjustToUniversal)
        $unread = [datetime]::Parse($pending[1], [cultureinfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::AdjustToUniversal).AddDays(-3)
        $late = @(Add-EmulatorLateRecord -Emulator $Emulator -Time ([datetimeoffset]$unread), ([datetimeoffset]$readTo.AddMinutes(-10)), ([datetimeoffset]::UtcNow.AddSeconds(-5)))
        try {
            $whole = @((Get-SupportAccessActivity -Connection $Connection[$HomeId] @Unpaced -WarningAction SilentlyContinue).Id | Sort-Object)

            $run = Invoke-DefaultExport $path

            $run.Errors | Should -BeNullOrEmpty
            $run.Summary[0].Appended | Should -Be (3110 - 1998 + 3)
            $rows = @(Import-Csv -LiteralPath $path)
            @($late.Id | Where-Object { $_ -notin $rows.Id }) | Should -BeNullOrEmpty -Because 'each late activity lies in a window the run reads'
            @($rows.Id | Sort-Object -Unique).Count | Should -Be $rows.Count
            @(Compare-Object $whole ($rows.Id | Sort-Object)) | Should -BeNullOrEmpty
        }
        finally {
            Clear-EmulatorLateRecord -Emulator $Emulator
        }
    }

    It 'an access token that expires mid-run (401 on page 3)' {
        $path = New-EvidencePath
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'expired401'; page = 3; times = 1000 }
        $failure = $null
        try { Export-SupportAccessActivity -Path $path -Connection $Connection[$HomeId] @Unpaced -WarningAction SilentlyContinue -ErrorAction Stop } catch { $failure = $_ }
        Set-EmulatorFault -Emulator $Emulator -Fault @()

        $failure.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $failure.Exception.Message | Should -Match 'expired'
        (Read-Checkpoint $path).file.length | Should -Be (Get-Item -LiteralPath $path).Length

        # The caller signs in again (here: the same token, valid again once the fault is gone).
        $run = Invoke-DefaultExport $path

        $run.Errors | Should -BeNullOrEmpty
        $run.Summary[0].Appended | Should -Be (3110 - 1998)
        Assert-EveryActivityOnce $path
    }

    It 'one tenant of three failing half-way: the summary says so, and the next run completes that tenant once' {
        $path = New-EvidencePath
        # Woodgrove's page 2 answers 503 for good; the home tenant (four pages) and Fabrikam read in full.
        Set-EmulatorFault -Emulator $Emulator -TenantId $WoodgroveId -Fault @{ kind = 'unavailable503'; page = 2; times = 1000; retryAfterSeconds = 0 }
        $first = Invoke-DefaultExport $path -Tenants $HomeId, $FabrikamId, $WoodgroveId
        Set-EmulatorFault -Emulator $Emulator -Fault @()

        $first.Summary.Count | Should -Be 1
        $first.Summary[0].Complete | Should -BeFalse
        "$($first.Warnings)" | Should -Match "lacks what the failed tenants did not read \($WoodgroveId\)"
        @($first.Errors).Count | Should -Be 1
        "$($first.Errors[0])" | Should -Match 'Gave up'
        $checkpoint = Read-Checkpoint $path
        $ledger = @{}
        foreach ($tenant in $checkpoint.tenants) { $ledger[$tenant.tenantId] = $tenant }
        @($ledger[$WoodgroveId].pending).Count | Should -Be 1 -Because 'the failed tenant''s unread part is recorded'
        @($ledger[$HomeId].pending).Count | Should -Be 0
        @($ledger[$FabrikamId].pending).Count | Should -Be 0
        $rows = @(Import-Csv -LiteralPath $path)
        @($rows | Where-Object TenantId -EQ $WoodgroveId).Count | Should -Be 999
        @($rows | Where-Object TenantId -EQ $HomeId).Count | Should -Be 3110

        $run = Invoke-DefaultExport $path -Tenants $HomeId, $FabrikamId, $WoodgroveId

        $run.Errors | Should -BeNullOrEmpty
        $run.Summary[0].Complete | Should -BeTrue
        $run.Summary[0].Appended | Should -Be (1585 - 999)
        $run.Summary[0].Resumed | Should -Match $WoodgroveId
        $run.Summary[0].Resumed | Should -Not -Match $HomeId
        $run.Summary[0].Resumed | Should -Not -Match $FabrikamId
        Assert-EveryActivityOnce $path -Tenants $HomeId, $FabrikamId, $WoodgroveId
    }
}
