#Requires -Version 7.5
# Export-SupportAccessActivity (issue 14): an evidence file each run continues from the checkpoint
# beside it, nothing lost or written twice, one writer at a time; files it did not write left as
# they are. The built module against the emulator (3,110 activities of the home tenant on four
# pages; Fabrikam, 85 activities on one). Runs that are stopped part-way: ExportKill.Tests.ps1.
#
# Every run here uses the default window, overlap and retries. Most pass -RequestsPer10Seconds 0:
# all runs of this file share one process's pacing budget for the tenant and would wait for it;
# pacing only spaces requests out, it changes nothing that is read or written.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    $script:ModuleManifest = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1'))
    Import-Module $ModuleManifest -Force
    $script:FabrikamId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
    $script:Emulator = Start-GraphEmulator -BulkRecordCount 3000 -OtherTenant 'fabrikam'
    $script:Token = Get-EmulatorToken -Emulator $Emulator
    $script:Connection = Connect-SupportAccess -AccessToken ($Token | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $Emulator.BaseUri -PassThru
    $script:Fabrikam = Connect-SupportAccess -AccessToken (Get-EmulatorToken -Emulator $Emulator -TenantId $FabrikamId | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $Emulator.BaseUri -PassThru
    $script:Truth = Get-EmulatorTruth -Emulator $Emulator
    $script:Fast = @{ Connection = $Connection; RequestsPer10Seconds = 0; WarningAction = 'SilentlyContinue' }
    # Every activity of the window, as one whole read gets them, newest first.
    $script:AllActivities = @(Get-SupportAccessActivity @Fast)
    $script:AllIds = @($AllActivities.Id | Sort-Object)
    $script:Csv = @($AllActivities | ConvertTo-Csv)   # header, then one string per activity
    $script:FabrikamIds = @((Get-SupportAccessActivity -Connection $Fabrikam -RequestsPer10Seconds 0 -WarningAction SilentlyContinue).Id | Sort-Object)

    function script:New-EvidencePath([string] $Extension = 'csv') { Join-Path $TestDrive "evidence-$([guid]::NewGuid().ToString('N')).$Extension" }

    # Whole files made once, with their checkpoints, that tests copy (a copy of both is a valid pair:
    # the checkpoint describes the file's bytes, not its name).
    $script:TemplateCsv = New-EvidencePath
    $script:TemplateCsvSummary = Export-SupportAccessActivity -Path $TemplateCsv @Fast
    $script:TemplateJsonl = New-EvidencePath 'jsonl'
    Export-SupportAccessActivity -Path $TemplateJsonl -Format JsonLines @Fast | Out-Null

    function script:Copy-Evidence([string] $Template, [switch] $WithoutCheckpoint) {
        $path = New-EvidencePath ([System.IO.Path]::GetExtension($Template).TrimStart('.'))
        Copy-Item -LiteralPath $Template -Destination $path
        if (-not $WithoutCheckpoint) { Copy-Item -LiteralPath "$Template.checkpoint" -Destination "$path.checkpoint" }
        $path
    }

    function script:Read-Evidence([string] $Path) {
        if ($Path -like '*.jsonl') { @(Get-Content -LiteralPath $Path | Where-Object { $_ } | ConvertFrom-Json) } else { @(Import-Csv -LiteralPath $Path) }
    }

    # Every activity in the file once, as one whole read gets them.
    function script:Assert-EveryActivityOnce([string] $Path, [string[]] $Ids = $AllIds) {
        $rows = Read-Evidence $Path
        @($rows | ForEach-Object { "$($_.TenantId)|$($_.Id)" } | Sort-Object -Unique).Count | Should -Be $rows.Count -Because 'no activity is written twice'
        @(Compare-Object $Ids ($rows.Id | Sort-Object)) | Should -BeNullOrEmpty -Because 'every activity is there'
    }

    # The checkpoint's JSON, its times kept as the text it holds (-DateKind: PowerShell 7.5).
    function script:Read-Checkpoint([string] $Path) { Get-Content -LiteralPath "$Path.checkpoint" -Raw | ConvertFrom-Json -DateKind String }

    function script:Get-FileText([string] $Path) { [System.IO.File]::ReadAllText($Path) }

    function script:Get-AuditRequestCount { Get-EmulatorRequestCount -Emulator $Emulator }

    # A time as the checkpoint and the summary write it, and back.
    function script:Format-Iso([datetime] $Time) { $Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", [cultureinfo]::InvariantCulture) }
    function script:ConvertFrom-Iso($Value) {
        if ($Value -is [datetime]) { return ([datetime]$Value).ToUniversalTime() }
        [datetime]::Parse([string]$Value, [cultureinfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::AdjustToUniversal)
    }

    # One run, with its warnings and its terminating error (if any) collected.
    function script:Invoke-Export([string] $Path, [object[]] $Connections = @($Connection), [hashtable] $Parameters = @{}) {
        $warnings = $null
        $failure = $null
        $summary = $null
        try { $summary = $Connections | Export-SupportAccessActivity -Path $Path -RequestsPer10Seconds 0 @Parameters -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop } catch { $failure = $_ }
        [pscustomobject]@{ Summary = $summary; Warnings = "$warnings"; Failure = $failure }
    }

    $script:Utf8 = [System.Text.UTF8Encoding]::new($false)
}

AfterAll {
    Set-EmulatorFault -Emulator $Emulator -Fault @()
    Disconnect-SupportAccess -Connection $Connection, $Fabrikam
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Export-SupportAccessActivity' {
    It 'writes a new file exactly as Export-Csv writes the same activities, its checkpoint beside it, both 0600' {
        $path = New-EvidencePath

        $summary = @(Export-SupportAccessActivity -Path $path @Fast)

        $summary.Count | Should -Be 1
        $summary[0] | Should -BeOfType ([SupportAccessLogs.ExportSummary])
        $summary[0].Appended | Should -Be $Truth.total
        $summary[0].AlreadyPresent | Should -Be 0
        $summary[0].GapStart | Should -BeNullOrEmpty
        $summary[0].Resumed | Should -BeNullOrEmpty
        $summary[0].Complete | Should -BeTrue
        $summary[0].CheckpointPath | Should -Be "$path.checkpoint"
        Get-FileText $path | Should -BeExactly ((($AllActivities | ConvertTo-Csv) -join [Environment]::NewLine) + [Environment]::NewLine)
        Assert-EveryActivityOnce $path
        $checkpoint = Read-Checkpoint $path
        $checkpoint.schema | Should -Be 'SupportAccessLogs/EvidenceCheckpoint/1'
        $checkpoint.file.length | Should -Be (Get-Item -LiteralPath $path).Length
        $checkpoint.tenants.tenantId | Should -Be $Connection.TenantId
        @($checkpoint.tenants[0].pending).Count | Should -Be 0 -Because 'the run read its window to the end'
        ConvertFrom-Iso $checkpoint.tenants[0].readTo | Should -Be (ConvertFrom-Iso $summary[0].WindowEnd)
        if (-not $IsWindows) {
            (Get-Item -LiteralPath $path).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
            (Get-Item -LiteralPath "$path.checkpoint").UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        }
    }

    It 'continues an existing file from its checkpoint: reads from readTo less 30 minutes, appends nothing it holds' {
        $path = Copy-Evidence $TemplateCsv
        $before = Get-FileText $path
        $readTo = ConvertFrom-Iso (Read-Checkpoint $path).tenants[0].readTo
        $inOverlap = @($AllActivities | Where-Object { (ConvertFrom-Iso $_.ActivityDateTime) -ge $readTo.AddMinutes(-30) }).Count
        $inOverlap | Should -BeGreaterThan 0 -Because 'the emulator''s newest activities lie in the last 30 minutes'

        $summary = Export-SupportAccessActivity -Path $path @Fast

        $summary.Appended | Should -Be 0
        $summary.AlreadyPresent | Should -Be $inOverlap
        ConvertFrom-Iso $summary.WindowStart | Should -Be $readTo.AddMinutes(-30)
        ConvertFrom-Iso $summary.WindowEnd | Should -BeGreaterThan $readTo
        $summary.Resumed | Should -BeNullOrEmpty
        Get-FileText $path | Should -BeExactly $before
        ConvertFrom-Iso (Read-Checkpoint $path).tenants[0].readTo | Should -Be (ConvertFrom-Iso $summary.WindowEnd)
        if (-not $IsWindows) { (Get-Item -LiteralPath "$path.checkpoint").UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') -Because 'a checkpoint written again is 0600 too' }
    }

    It 'takes in late activities inside the overlap and new ones, and the file again equals one whole read' {
        $path = Copy-Evidence $TemplateCsv
        $readTo = ConvertFrom-Iso (Read-Checkpoint $path).tenants[0].readTo
        # One event that happened 10 minutes before the last run's end but arrived only now, and one new.
        $late = Add-EmulatorLateRecord -Emulator $Emulator -Time ([datetimeoffset]$readTo.AddMinutes(-10)), ([datetimeoffset]::UtcNow.AddSeconds(-5))
        try {
            $summary = Export-SupportAccessActivity -Path $path @Fast

            $summary.Appended | Should -Be 2
            $whole = @((Get-SupportAccessActivity @Fast).Id | Sort-Object)
            $whole.Count | Should -Be ($AllIds.Count + 2)
            @($late.Id | Where-Object { $_ -notin $whole }) | Should -BeNullOrEmpty
            Assert-EveryActivityOnce $path $whole
        }
        finally {
            Clear-EmulatorLateRecord -Emulator $Emulator
        }
    }

    It 'lets one run write at a time: a second waits, then fails clearly when the first holds on' {
        $path = Copy-Evidence $TemplateCsv
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
                Export-SupportAccessActivity -Path $Path -Connection $Connection -RequestsPer10Seconds 0 -WarningAction SilentlyContinue
            } -ArgumentList $ModuleManifest, $Connection, $path
        }
        $summaries = @($jobs | Wait-Job | Receive-Job)
        $jobs | Remove-Job
        $summaries.Count | Should -Be 2
        ($summaries | Measure-Object Appended -Sum).Sum | Should -Be 0
        Assert-EveryActivityOnce $path
    }

    It 'keeps JSON Lines the same way, read back by ConvertFrom-Json and Get-SupportAccessRequest' {
        $path = New-EvidencePath 'jsonl'

        $first = Export-SupportAccessActivity -Path $path -Format JsonLines @Fast
        $second = Export-SupportAccessActivity -Path $path @Fast

        $first.Appended | Should -Be $Truth.total
        $second.Format | Should -Be 'JsonLines' -Because 'an existing file keeps its format'
        $second.Appended | Should -Be 0
        Assert-EveryActivityOnce $path
        $requests = @(Get-Content -LiteralPath $path | ConvertFrom-Json | Get-SupportAccessRequest -WarningAction SilentlyContinue)
        $requests.Count | Should -Be @(Get-SupportAccessRequest @Fast).Count
    }

    It 'writes many tenants into one file, each activity once with its tenant, each tenant continued from its own checkpoint' {
        $path = New-EvidencePath

        $first = $Connection, $Fabrikam | Export-SupportAccessActivity -Path $path -RequestsPer10Seconds 0 -WarningAction SilentlyContinue
        $second = $Connection, $Fabrikam | Export-SupportAccessActivity -Path $path -RequestsPer10Seconds 0 -WarningAction SilentlyContinue

        $first.Appended | Should -Be ($AllIds.Count + $FabrikamIds.Count)
        $first.Complete | Should -BeTrue
        $second.Appended | Should -Be 0
        $rows = @(Import-Csv -LiteralPath $path)
        @(Compare-Object $FabrikamIds (($rows | Where-Object TenantId -EQ $FabrikamId).Id | Sort-Object)) | Should -BeNullOrEmpty
        @(Compare-Object $AllIds (($rows | Where-Object TenantId -EQ $Connection.TenantId).Id | Sort-Object)) | Should -BeNullOrEmpty
        @($rows | ForEach-Object { "$($_.TenantId)|$($_.Id)" } | Sort-Object -Unique).Count | Should -Be $rows.Count
        @((Read-Checkpoint $path).tenants.tenantId | Sort-Object) | Should -Be @($Connection.TenantId, $FabrikamId | Sort-Object)
    }

    It 'starts a tenant new to an existing file from the window asked for (30 days), with no false gap' {
        $path = Copy-Evidence $TemplateCsv
        $before = Get-FileText $path

        $run = Invoke-Export $path -Connections $Connection, $Fabrikam
        $verbose = @($Connection, $Fabrikam | Export-SupportAccessActivity -Path (Copy-Evidence $TemplateCsv) -RequestsPer10Seconds 0 -WarningAction SilentlyContinue -Verbose 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'reading' }).Message

        $run.Failure | Should -BeNullOrEmpty
        $run.Summary.Appended | Should -Be $FabrikamIds.Count -Because 'all of the new tenant''s 30 days are read; the home tenant''s are held'
        $run.Summary.GapStart | Should -BeNullOrEmpty
        $run.Warnings | Should -Not -Match 'misses activity'
        (Get-FileText $path).StartsWith($before) | Should -BeTrue
        @(Compare-Object $FabrikamIds ((Import-Csv -LiteralPath $path | Where-Object TenantId -EQ $FabrikamId).Id | Sort-Object)) | Should -BeNullOrEmpty
        "$verbose" | Should -Match "tenant $FabrikamId \(new to the file\)"
        "$verbose" | Should -Match "tenant $($Connection.TenantId) \(continued from the last window's end less 00:30:00 of overlap\)"
    }
}

Describe 'A record torn by a run that stopped mid-write' {
    It 'is cut off and kept aside when no checkpoint vouches for the file (CSV cut at 80 %), then the file again equals one whole export' {
        $path = New-EvidencePath
        $text = Get-FileText $TemplateCsv
        # What a kill mid-write leaves: the file's first 80 % of characters, the last record cut anywhere.
        $cut = $text.Substring(0, [int]($text.Length * 0.8))
        [System.IO.File]::WriteAllText($path, $cut)
        $tail = $cut.Substring($cut.LastIndexOf("`n`"20") + 1)

        $run = Invoke-Export $path

        $run.Failure | Should -BeNullOrEmpty
        $run.Summary.RepairedBytes | Should -Be $Utf8.GetByteCount($tail)
        $run.Warnings | Should -Match 'cut short'
        $run.Warnings | Should -Match 'has no checkpoint'
        $run.Summary.TornRecordPath | Should -BeLike "$path.torn-*"
        Get-FileText $run.Summary.TornRecordPath | Should -BeExactly $tail
        if (-not $IsWindows) { (Get-Item -LiteralPath $run.Summary.TornRecordPath).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') }
        Assert-EveryActivityOnce $path
        # The missing records are the oldest, read and appended newest first: the whole export again.
        Get-FileText $path | Should -BeExactly $text
    }

    It 'is cut off after what a matching checkpoint vouches for (<Name>), and nothing is read twice' -ForEach @(
        @{ Name = 'CSV'; Template = 'csv' }
        @{ Name = 'JSON Lines'; Template = 'jsonl' }
    ) {
        $template = if ($Template -eq 'csv') { $TemplateCsv } else { $TemplateJsonl }
        $path = Copy-Evidence $template
        $before = Get-FileText $path
        # The beginning of a record (its first 150 characters, all ASCII), as a kill between two writes leaves it.
        $record = if ($Template -eq 'csv') { $Csv[1] } else { ($before -split "`n")[0] }
        $torn = $record.Substring(0, 150)
        [System.IO.File]::AppendAllText($path, $torn)

        $run = Invoke-Export $path

        $run.Failure | Should -BeNullOrEmpty
        $run.Summary.RepairedBytes | Should -Be 150
        $run.Warnings | Should -Match 'cut short'
        $run.Warnings | Should -Not -Match 'checkpoint' -Because 'the checkpoint still matches what precedes the torn record'
        Get-FileText $run.Summary.TornRecordPath | Should -BeExactly $torn
        $run.Summary.Appended | Should -Be 0
        Get-FileText $path | Should -BeExactly $before
    }

    It 'keeps a complete last record that lacks only its line end, and adds the line end before appending (<Name>)' -ForEach @(
        @{ Name = 'CSV'; Extension = 'csv' }
        @{ Name = 'JSON Lines'; Extension = 'jsonl' }
    ) {
        $path = New-EvidencePath $Extension
        # The file without its 3 newest activities, and without a line end after its last record.
        if ($Extension -eq 'csv') {
            $text = ($Csv[0] + "`n") + ($Csv[4..($Csv.Count - 1)] -join "`n")
        }
        else {
            $lines = @((Get-FileText $TemplateJsonl).TrimEnd("`n") -split "`n")
            $text = $lines[3..($lines.Count - 1)] -join "`n"
        }
        [System.IO.File]::WriteAllText($path, $text)

        $run = Invoke-Export $path

        $run.Failure | Should -BeNullOrEmpty
        $run.Summary.RepairedBytes | Should -Be 0
        $run.Warnings | Should -Not -Match 'cut short'
        $run.Summary.Appended | Should -Be 3
        $after = Get-FileText $path
        $after.StartsWith($text + "`n") | Should -BeTrue -Because 'the last record is kept as it was, then ended'
        Assert-EveryActivityOnce $path
    }

    It 'still ends that record before a later run appends, when the run in between appended nothing (<Name>)' -ForEach @(
        @{ Name = 'CSV'; Template = 'csv' }
        @{ Name = 'JSON Lines'; Template = 'jsonl' }
    ) {
        $path = Copy-Evidence $(if ($Template -eq 'csv') { $TemplateCsv } else { $TemplateJsonl }) -WithoutCheckpoint
        $text = Get-FileText $path
        [System.IO.File]::WriteAllText($path, $text.Substring(0, $text.Length - 1))   # the last line end gone
        $first = Export-SupportAccessActivity -Path $path @Fast
        $first.Appended | Should -Be 0
        $late = Add-EmulatorLateRecord -Emulator $Emulator -Count 1 -MinutesAgo 1
        try {
            $second = Export-SupportAccessActivity -Path $path @Fast

            $second.Appended | Should -Be 1
            (Get-FileText $path).StartsWith($text) | Should -BeTrue -Because 'the last record gets its line end back before the next is appended'
            Assert-EveryActivityOnce $path @(@($AllIds) + $late.Id | Sort-Object)
        }
        finally {
            Clear-EmulatorLateRecord -Emulator $Emulator
        }
    }
}

Describe 'A file this command did not write' {
    BeforeAll {
        $script:Jsonl = @((Get-FileText $TemplateJsonl).TrimEnd("`n") -split "`n")
        $script:Invalid = [byte[]]@(0xC3, 0x28, 0xFF)
    }

    It 'is refused and left byte for byte: <Name>' -ForEach @(
        @{ Name = 'a one-line JSON file without a final line end, given -Format JsonLines'; Format = 'JsonLines'; Build = { '{"important":"config","x":1}' } }
        @{ Name = 'JSON Lines of another shape'; Build = { "{`"a`":1}`n{`"b`":2}`n" } }
        @{ Name = 'JSON Lines: a record of ours, then a line of another shape'; Build = { $Jsonl[0] + "`n" + '{"ActivityDateTime":"2026-01-01T00:00:00Z"}' + "`n" } }
        @{ Name = 'JSON Lines holding only the beginning of a record, and no checkpoint'; Build = { $Jsonl[0].Substring(0, 60) } }
        @{ Name = 'another tool''s CSV'; Build = { "Name,Value`nsomething,else`n" } }
        @{ Name = 'our CSV header, then another tool''s row'; Build = { $Csv[0] + "`n" + "a,b,c`n" } }
        @{ Name = 'our CSV with a stray quote in its last record'; Build = { ($Csv[0..2] -join "`n") + "`n" + ($Csv[3] -replace '"success"', '"succ"ess"') + "`n" } }
        @{ Name = 'our CSV with a stray quote in a record before the last'; Build = { ($Csv[0..1] -join "`n") + "`n" + ($Csv[2] -replace '"success"', '"succ"ess"') + "`n" + $Csv[3] + "`n" } }
        @{ Name = 'our CSV with a quote left open in its last record, then a line end'; Build = { ($Csv[0..2] -join "`n") + "`n" + ($Csv[3] -replace '"success"', '"succ') + "`n" } }
        @{ Name = 'our CSV with invalid UTF-8 in a record'; Bytes = $true; Build = { $Utf8.GetBytes(($Csv[0..1] -join "`n") + "`n") + $Utf8.GetBytes($Csv[2].Substring(0, 40)) + $Invalid + $Utf8.GetBytes($Csv[2].Substring(40) + "`n") } }
        @{ Name = 'our CSV with invalid UTF-8 in its unfinished last record'; Bytes = $true; Build = { $Utf8.GetBytes(($Csv[0..1] -join "`n") + "`n" + $Csv[2].Substring(0, 40)) + $Invalid + $Utf8.GetBytes('abc') } }
        @{ Name = 'our CSV ending in a byte UTF-8 never uses (0xFF), no line end'; Bytes = $true; Build = { $Utf8.GetBytes(($Csv[0..1] -join "`n") + "`n" + $Csv[2].Substring(0, 40)) + [byte[]]@(0xFF) } }
    ) {
        $path = New-EvidencePath $(if ($Name -match 'JSON') { 'jsonl' } else { 'csv' })
        $content = & $Build
        if ($Bytes) { [System.IO.File]::WriteAllBytes($path, [byte[]]$content) } else { [System.IO.File]::WriteAllText($path, $content) }
        $before = [System.IO.File]::ReadAllBytes($path)
        $requests = Get-AuditRequestCount
        $formatArgument = if ($Format) { @{ Format = $Format } } else { @{} }

        $failure = $null
        $summary = $null
        try { $summary = Export-SupportAccessActivity -Path $path @formatArgument @Fast -ErrorAction Stop } catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -BeLike 'EvidenceFileNotOurs,*' -Because "the file is not one this command writes (the run instead went on: $($summary.RepairedBytes) bytes cut off into '$($summary.TornRecordPath)', $($summary.Appended) activities appended)"
        $failure.Exception.Message | Should -Match 'left as it is'
        [Convert]::ToBase64String([System.IO.File]::ReadAllBytes($path)) | Should -BeExactly ([Convert]::ToBase64String($before)) -Because 'the file stays byte for byte'
        @(Get-ChildItem -LiteralPath $TestDrive | Where-Object Name -Like "$([System.IO.Path]::GetFileName($path)).*") | Should -BeNullOrEmpty -Because 'no checkpoint and no torn record are written beside it'
        Get-AuditRequestCount | Should -Be $requests -Because 'nothing is read for a file that is not ours'
    }

    It 'refuses a record dated after now (9999-01-01), naming its line, and writes nothing' {
        $path = New-EvidencePath
        $bad = $Csv[2] -replace '^"[^"]+"', '"9999-01-01T00:00:00Z"'
        $head = ($Csv[0..1] -join "`n") + "`n"
        $line = ($head.ToCharArray() | Where-Object { $_ -eq "`n" }).Count + 1
        [System.IO.File]::WriteAllText($path, $head + $bad + "`n" + $Csv[3] + "`n")
        $before = Get-FileText $path

        $failure = $null
        try { Export-SupportAccessActivity -Path $path @Fast -ErrorAction Stop } catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -BeLike 'EvidenceFileBadRecord,*'
        $failure.Exception.Message | Should -Match "Line $line of"
        $failure.Exception.Message | Should -Match '9999-01-01'
        Get-FileText $path | Should -BeExactly $before
        Test-Path -LiteralPath "$path.checkpoint" | Should -BeFalse
    }

    It 'refuses an overlap given as a bare number (ticks)' {
        { Export-SupportAccessActivity -Path (New-EvidencePath) -Overlap 30 @Fast } | Should -Throw -ErrorId 'OverlapInvalid,*'
    }
}

Describe 'A file whose checkpoint is missing or does not match' {
    It '<Name>: warns, reads everything Graph still serves, and appends only what the file lacks' -ForEach @(
        @{ Name = 'no checkpoint (an earlier version, or the checkpoint removed)'; Case = 'none'; Warning = 'has no checkpoint' }
        @{ Name = 'a stale checkpoint (records removed from the file since)'; Case = 'stale'; Warning = 'does not match it \(it describes \d+ bytes and the file has \d+' }
        @{ Name = 'another file''s checkpoint'; Case = 'other'; Warning = 'does not match it \(the file''s bytes are not those it describes' }
        @{ Name = 'a checkpoint cut short (not JSON)'; Case = 'corrupt'; Warning = 'does not match it \(it is not a checkpoint this module writes' }
    ) {
        $path = New-EvidencePath
        # The file without its 5 newest activities.
        $text = ($Csv[0] + "`n") + (($Csv[6..($Csv.Count - 1)] -join "`n") + "`n")
        switch ($Case) {
            'none' {
                [System.IO.File]::WriteAllText($path, $text)
            }
            'stale' {
                # The whole file and its checkpoint; then 5 records go.
                Copy-Item -LiteralPath "$TemplateCsv.checkpoint" -Destination "$path.checkpoint"
                [System.IO.File]::WriteAllText($path, $text)
            }
            'corrupt' {
                $json = Get-FileText "$TemplateCsv.checkpoint"
                [System.IO.File]::WriteAllText("$path.checkpoint", $json.Substring(0, [int]($json.Length / 2)))
                [System.IO.File]::WriteAllText($path, $text)
            }
            'other' {
                # The checkpoint of a file that holds only the oldest hour: shorter, and other bytes.
                $other = New-EvidencePath
                $oldest = ConvertFrom-Iso $AllActivities[-1].ActivityDateTime
                Export-SupportAccessActivity -Path $other -StartTime $oldest.AddHours(-1) -EndTime $oldest.AddHours(1) @Fast | Out-Null
                (Read-Checkpoint $other).file.length | Should -BeLessThan $Utf8.GetByteCount($text)
                Copy-Item -LiteralPath "$other.checkpoint" -Destination "$path.checkpoint"
                [System.IO.File]::WriteAllText($path, $text)
            }
        }

        $run = Invoke-Export $path

        $run.Failure | Should -BeNullOrEmpty
        $run.Warnings | Should -Match $Warning
        $run.Warnings | Should -Match 'everything the source still serves is read again'
        $run.Summary.Appended | Should -Be 5
        $run.Summary.AlreadyPresent | Should -Be ($AllIds.Count - 5)
        (Get-FileText $path).StartsWith($text) | Should -BeTrue
        Assert-EveryActivityOnce $path
        (Read-Checkpoint $path).file.length | Should -Be (Get-Item -LiteralPath $path).Length -Because 'the run wrote a checkpoint that matches'
    }

    It 'says with -Verbose that it reads everything again for lack of a checkpoint' {
        $path = Copy-Evidence $TemplateCsv -WithoutCheckpoint
        $verbose = @(Export-SupportAccessActivity -Path $path @Fast -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'reading' }).Message
        "$verbose" | Should -Match "tenant $($Connection.TenantId) \(no checkpoint to say what was read: everything the source still serves\)"
    }
}

Describe 'Graph keeps 30 days' {
    It 'stops at a gap past them, naming the days and the fix; -AllowGap goes on and records the gap' {
        $path = New-EvidencePath
        # A file that holds the oldest hour; its checkpoint then says it was last read to 40 days
        # ago (the schedule stopped longer than Graph keeps). Only readTo changes: the ids it
        # remembers are still those of the records the file holds.
        $oldest = ConvertFrom-Iso $AllActivities[-1].ActivityDateTime
        Export-SupportAccessActivity -Path $path -StartTime $oldest.AddHours(-1) -EndTime $oldest.AddHours(1) @Fast | Out-Null
        $held = @(Import-Csv -LiteralPath $path).Count
        $held | Should -BeGreaterThan 0
        $readTo = [datetime]::UtcNow.AddDays(-40)
        $json = Get-Content -LiteralPath "$path.checkpoint" -Raw
        $json = $json -replace '"readTo": "[^"]+"', ('"readTo": "' + (Format-Iso $readTo) + '"')
        [System.IO.File]::WriteAllText("$path.checkpoint", $json)
        $before = Get-FileText $path
        $requests = Get-AuditRequestCount

        $failure = $null
        try { Export-SupportAccessActivity -Path $path @Fast -ErrorAction Stop } catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -BeLike 'EvidenceGap,*'
        $failure.Exception.Message | Should -Match '-WorkspaceId'
        $failure.Exception.Message | Should -Match '-AllowGap'
        $failure.Exception.Message | Should -Match ([regex]::Escape((Format-Iso $readTo.AddMinutes(-30))))
        Get-FileText $path | Should -BeExactly $before
        Get-FileText "$path.checkpoint" | Should -BeExactly $json
        Get-AuditRequestCount | Should -Be $requests -Because 'nothing is read when the gap stops the run'

        $run = Invoke-Export $path -Parameters @{ AllowGap = $true }

        $run.Failure | Should -BeNullOrEmpty
        $run.Warnings | Should -Match 'misses activity'
        ConvertFrom-Iso $run.Summary.GapStart | Should -Be $readTo.AddMinutes(-30)
        ConvertFrom-Iso $run.Summary.GapEnd | Should -BeGreaterThan ([datetime]::UtcNow.AddDays(-30))
        ConvertFrom-Iso $run.Summary.GapEnd | Should -BeLessThan ([datetime]::UtcNow.AddDays(-30).AddMinutes(2))
        $run.Summary.Appended | Should -Be ($AllIds.Count - $held)
        $lost = @((Read-Checkpoint $path).tenants[0].lost)
        $lost.Count | Should -Be 1
        ConvertFrom-Iso $lost[0][0] | Should -Be (ConvertFrom-Iso $run.Summary.GapStart)
        ConvertFrom-Iso $lost[0][1] | Should -Be (ConvertFrom-Iso $run.Summary.GapEnd)
        Assert-EveryActivityOnce $path

        # The gap is on record: the next run goes on without it.
        $next = Export-SupportAccessActivity -Path $path @Fast -ErrorAction Stop
        $next.GapStart | Should -BeNullOrEmpty
        $next.Appended | Should -Be 0
        @((Read-Checkpoint $path).tenants[0].lost).Count | Should -Be 1
    }

    It 'stops at a gap for a file an earlier version wrote (no checkpoint) whose newest activity is past 30 days; -AllowGap goes on' {
        $path = New-EvidencePath
        # The schedule stopped for longer than Graph keeps: the file's newest (and only) activity is 40 days old.
        $newest = [datetime]::UtcNow.AddDays(-40)
        [System.IO.File]::WriteAllText($path, $Csv[0] + "`n" + ($Csv[-1] -replace '^"[^"]+"', ('"' + (Format-Iso $newest) + '"')) + "`n")
        $before = Get-FileText $path

        $failure = $null
        try { Export-SupportAccessActivity -Path $path @Fast -ErrorAction Stop } catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -BeLike 'EvidenceGap,*'
        $failure.Exception.Message | Should -Match '-WorkspaceId'
        $failure.Exception.Message | Should -Match '-AllowGap'
        Get-FileText $path | Should -BeExactly $before
        Test-Path -LiteralPath "$path.checkpoint" | Should -BeFalse

        $run = Invoke-Export $path -Parameters @{ AllowGap = $true }

        $run.Failure | Should -BeNullOrEmpty
        $run.Warnings | Should -Match 'misses activity'
        ConvertFrom-Iso $run.Summary.GapStart | Should -Be $newest.AddMinutes(-30) -Because 'what followed the newest row, less the overlap, was never read'
        ConvertFrom-Iso $run.Summary.GapEnd | Should -BeGreaterThan ([datetime]::UtcNow.AddDays(-30))
        ConvertFrom-Iso $run.Summary.GapEnd | Should -BeLessThan ([datetime]::UtcNow.AddDays(-30).AddMinutes(2))
        $run.Summary.Appended | Should -Be ($AllIds.Count - 1) -Because 'the file''s one row is an activity Graph still serves (its date was moved back)'
        @((Read-Checkpoint $path).tenants[0].lost).Count | Should -Be 1
    }

    It 'lets a new file''s unfinished default window follow Graph''s edge (no false gap); a window asked for does not' {
        # A run that fails on page 1 (every try refused) leaves the window it set out to read: a
        # new file's default window, whose start is Graph's edge at the time.
        $path = New-EvidencePath
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'unavailable503'; page = 1; times = 1000; retryAfterSeconds = 0 }
        try { { Export-SupportAccessActivity -Path $path @Fast -ErrorAction Stop } | Should -Throw -ErrorId 'GraphUnavailable,*' }
        finally { Set-EmulatorFault -Emulator $Emulator -Fault @() }
        $json = Get-Content -LiteralPath "$path.checkpoint" -Raw
        $json | Should -Match '"pendingFollowsRetention": true'
        # Later, Graph's edge has moved on: here, the window's start lies 2 hours past it.
        $start = (Read-Checkpoint $path).tenants[0].pending[0][0]
        $json = $json.Replace("`"$start`"", ('"' + (Format-Iso (ConvertFrom-Iso $start).AddHours(-2)) + '"'))
        [System.IO.File]::WriteAllText("$path.checkpoint", $json)
        $asked = Copy-Evidence $path
        [System.IO.File]::WriteAllText("$asked.checkpoint", ($json -replace ',\s*"pendingFollowsRetention": true', ''))

        $output = @(Export-SupportAccessActivity -Path $path @Fast -WarningVariable warnings -Verbose 4>&1)

        $summary = $output | Where-Object { $_ -is [SupportAccessLogs.ExportSummary] }
        $verbose = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'edge|reading' }).Message
        "$warnings" | Should -Not -Match 'misses activity'
        $summary.GapStart | Should -BeNullOrEmpty
        $summary.Appended | Should -Be $AllIds.Count
        $summary.Resumed | Should -Match $Connection.TenantId
        "$verbose" | Should -Match "30-day edge when it was asked for; it now begins at"
        "$verbose" | Should -Match 'resuming .*left unread by a run that stopped early'
        Assert-EveryActivityOnce $path
        { Export-SupportAccessActivity -Path $asked @Fast -ErrorAction Stop } | Should -Throw -ErrorId 'EvidenceGap,*'
    }
}

Describe 'What a file was made with' {
    It 'remembers its filters: other filters fail with EvidenceFiltersChanged, the same ones continue' {
        $path = New-EvidencePath
        $first = Export-SupportAccessActivity -Path $path -Category UserInitiated @Fast
        $before = Get-FileText $path

        { Export-SupportAccessActivity -Path $path -Category Automated @Fast -ErrorAction Stop } | Should -Throw -ErrorId 'EvidenceFiltersChanged,*'
        $failure = $null
        try { Export-SupportAccessActivity -Path $path @Fast -ErrorAction Stop } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'EvidenceFiltersChanged,*'
        $failure.Exception.Message | Should -Match 'was made with the filters -Category UserInitiated'
        $failure.Exception.Message | Should -Match 'no filter'
        Get-FileText $path | Should -BeExactly $before

        $same = Export-SupportAccessActivity -Path $path -Category UserInitiated @Fast
        $same.Appended | Should -Be 0
        $userInitiated = @($AllActivities | Where-Object Category -EQ 'UserInitiated')
        $first.Appended | Should -Be $userInitiated.Count
        Assert-EveryActivityOnce $path @($userInitiated.Id | Sort-Object)
    }

    It 'takes the format from an existing file, and refuses a -Format that differs' {
        $path = Copy-Evidence $TemplateCsv
        $before = Get-FileText $path
        { Export-SupportAccessActivity -Path $path -Format JsonLines @Fast -ErrorAction Stop } | Should -Throw -ErrorId 'EvidenceFormatMismatch,*'
        Get-FileText $path | Should -BeExactly $before

        $jsonl = Copy-Evidence $TemplateJsonl
        { Export-SupportAccessActivity -Path $jsonl -Format Csv @Fast -ErrorAction Stop } | Should -Throw -ErrorId 'EvidenceFormatMismatch,*'
        (Export-SupportAccessActivity -Path $jsonl @Fast).Format | Should -Be 'JsonLines'
        (Export-SupportAccessActivity -Path $jsonl -Format JsonLines @Fast).Format | Should -Be 'JsonLines'
    }

    It 'warns that -StartTime and -EndTime are not used for a file that exists; -StartTime applies to a tenant new to it' {
        $path = Copy-Evidence $TemplateCsv
        $start = [datetime]::UtcNow.AddDays(-2)

        # (-EndTime alone in the past is refused before the file is looked at: a start left out is 30 days before the end.)
        $end = Invoke-Export $path -Parameters @{ EndTime = [datetime]::UtcNow }
        $both = Invoke-Export $path -Connections $Connection, $Fabrikam -Parameters @{ StartTime = $start; EndTime = [datetime]::UtcNow.AddDays(-1) }

        $end.Failure | Should -BeNullOrEmpty
        $end.Warnings | Should -Match '-EndTime is not used'
        $both.Failure | Should -BeNullOrEmpty
        $both.Warnings | Should -Match '-EndTime is not used'
        $both.Warnings | Should -Match "-StartTime is not used for the tenants .* \($($Connection.TenantId)\)"
        $both.Warnings | Should -Match "It applies to the tenants new to the file \($FabrikamId\)"
        $fabrikamRows = @(Import-Csv -LiteralPath $path | Where-Object TenantId -EQ $FabrikamId)
        $expected = @(Get-SupportAccessActivity -Connection $Fabrikam -StartTime $start -RequestsPer10Seconds 0 -WarningAction SilentlyContinue)
        $expected.Count | Should -BeLessThan $FabrikamIds.Count
        @(Compare-Object ($expected.Id | Sort-Object) ($fabrikamRows.Id | Sort-Object)) | Should -BeNullOrEmpty -Because 'the new tenant is read from -StartTime'
        $both.Summary.Appended | Should -Be $expected.Count
        Assert-EveryActivityOnce $path @(@($AllIds) + @($expected.Id) | Sort-Object)
    }
}

Describe 'Paths' {
    It 'creates a missing folder' {
        $path = Join-Path $TestDrive "new-$([guid]::NewGuid().ToString('N'))/deeper/evidence.csv"
        (Export-SupportAccessActivity -Path $path -Connection $Fabrikam -RequestsPer10Seconds 0 -WarningAction SilentlyContinue).Appended | Should -Be $FabrikamIds.Count
        Test-Path -LiteralPath "$path.checkpoint" | Should -BeTrue
        if (-not $IsWindows) { (Get-Item -LiteralPath $path).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') }
    }

    It 'takes a relative path from the current location, and a name with wildcard characters as it is' {
        $folder = Join-Path $TestDrive "relative-$([guid]::NewGuid().ToString('N'))"
        New-Item -ItemType Directory -Path $folder | Out-Null
        Push-Location -LiteralPath $folder
        try {
            $relative = Export-SupportAccessActivity -Path 'evidence.csv' -Connection $Fabrikam -RequestsPer10Seconds 0 -WarningAction SilentlyContinue
            $wildcard = Export-SupportAccessActivity -Path 'evidence[1]*.csv' -Connection $Fabrikam -RequestsPer10Seconds 0 -WarningAction SilentlyContinue
        }
        finally {
            Pop-Location
        }
        $relative.Path | Should -Be (Join-Path $folder 'evidence.csv')
        $wildcard.Path | Should -Be (Join-Path $folder 'evidence[1]*.csv')
        @(Get-ChildItem -LiteralPath $folder -Name | Sort-Object) | Should -Be @('evidence.csv', 'evidence.csv.checkpoint', 'evidence[1]*.csv', 'evidence[1]*.csv.checkpoint')
        $wildcard.Appended | Should -Be $FabrikamIds.Count -Because 'a new file, not the one the pattern would match'
    }

    It 'refuses <Name> with <ErrorId>, and writes nothing' -ForEach @(
        @{ Name = 'a directory'; ErrorId = 'EvidencePathIsDirectory'; Path = { $TestDrive } }
        @{ Name = 'a blank file name'; ErrorId = 'EvidencePathInvalid'; Path = { Join-Path $TestDrive ' ' } }
        @{ Name = 'a name ending in a space'; ErrorId = 'EvidencePathInvalid'; Path = { Join-Path $TestDrive 'evidence.csv ' } }
        @{ Name = 'a path ending in a separator'; ErrorId = 'EvidencePathInvalid'; Path = { (Join-Path $TestDrive 'nothing-here') + [System.IO.Path]::DirectorySeparatorChar } }
        @{ Name = 'Env:\x'; ErrorId = 'PathNotFileSystem'; Path = { 'Env:\SupportAccessLogsExportTest' } }
        @{ Name = 'Variable:\x'; ErrorId = 'PathNotFileSystem'; Path = { 'Variable:\SupportAccessLogsExportTest' } }
    ) {
        $given = & $Path
        $entries = @(Get-ChildItem -LiteralPath $TestDrive -Force).Count
        $requests = Get-AuditRequestCount

        { Export-SupportAccessActivity -Path $given @Fast -ErrorAction Stop } | Should -Throw -ErrorId "$ErrorId,*"

        @(Get-ChildItem -LiteralPath $TestDrive -Force).Count | Should -Be $entries
        Get-AuditRequestCount | Should -Be $requests
        Test-Path -LiteralPath 'Env:\SupportAccessLogsExportTest' | Should -BeFalse
        Test-Path -LiteralPath 'Variable:\SupportAccessLogsExportTest' | Should -BeFalse
    }

    It 'refuses a symbolic link (<Name>) with EvidencePathIsLink, and leaves its target as it was' -ForEach @(
        @{ Name = 'to an evidence file'; Dangling = $false }
        @{ Name = 'to nothing'; Dangling = $true }
    ) {
        $target = if ($Dangling) { New-EvidencePath } else { Copy-Evidence $TemplateCsv }
        $before = if ($Dangling) { $null } else { Get-FileText $target }
        $link = New-EvidencePath
        New-Item -ItemType SymbolicLink -Path $link -Target $target | Out-Null

        { Export-SupportAccessActivity -Path $link @Fast -ErrorAction Stop } | Should -Throw -ErrorId 'EvidencePathIsLink,*'

        if ($Dangling) { Test-Path -LiteralPath $target | Should -BeFalse } else { Get-FileText $target | Should -BeExactly $before }
        Test-Path -LiteralPath "$link.checkpoint" | Should -BeFalse
    }
}

Describe 'A file saved by another tool' {
    It 'continues a CSV with a byte-order mark, CRLF line ends and a trailing blank line in its own style' {
        $path = New-EvidencePath
        # As Windows PowerShell's Export-Csv -Encoding UTF8 writes it, and an editor adds a blank line:
        # without the 5 newest activities.
        $crlf = "`r`n"
        $text = ($Csv[0] + $crlf) + ($Csv[6..($Csv.Count - 1)] -join $crlf) + $crlf + $crlf
        [System.IO.File]::WriteAllText($path, $text, [System.Text.UTF8Encoding]::new($true))
        $before = [System.IO.File]::ReadAllBytes($path)

        $summary = Export-SupportAccessActivity -Path $path @Fast

        $summary.Appended | Should -Be 5
        $summary.RepairedBytes | Should -Be 0
        $after = [System.IO.File]::ReadAllBytes($path)
        $after[0..2] | Should -Be @(0xEF, 0xBB, 0xBF) -Because 'the byte-order mark is kept'
        [Convert]::ToBase64String($after, 0, $before.Length) | Should -BeExactly ([Convert]::ToBase64String($before))
        $appended = $Utf8.GetString($after, $before.Length, $after.Length - $before.Length)
        $appended | Should -BeExactly (($Csv[1..5] -join $crlf) + $crlf) -Because 'the records appended end in CRLF, as the file''s do'
        Assert-EveryActivityOnce $path
    }

    It 'continues JSON Lines with CRLF line ends in its own style' {
        $path = New-EvidencePath 'jsonl'
        $lines = @((Get-FileText $TemplateJsonl).TrimEnd("`n") -split "`n")
        $text = ($lines[5..($lines.Count - 1)] -join "`r`n") + "`r`n"
        [System.IO.File]::WriteAllText($path, $text)

        $summary = Export-SupportAccessActivity -Path $path @Fast

        $summary.Appended | Should -Be 5
        Get-FileText $path | Should -BeExactly ($text + ($lines[0..4] -join "`r`n") + "`r`n")
        Assert-EveryActivityOnce $path
    }

    It 'writes values that begin with = + - @ exactly as Export-Csv does (no escaping)' {
        # A Graph endpoint of this test's own, serving two records whose text begins with formula characters.
        $tcp = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $tcp.Start(); $port = $tcp.LocalEndpoint.Port; $tcp.Stop()
        $listener = [System.Net.HttpListener]::new()
        $listener.Prefixes.Add("http://127.0.0.1:$port/")
        $listener.Start()
        $now = [datetime]::UtcNow
        $records = @(
            [ordered]@{ id = '11111111-1111-4111-8111-111111111111'; category = 'MicrosoftSupportAccessManagement'; correlationId = '=1+2'; result = 'success'; resultReason = '=HYPERLINK("http://evil.example","click")'; activityDisplayName = 'Request created'; activityDateTime = $now.AddMinutes(-10).ToString('o'); loggedByService = '+SUM(1,2)'; operationType = '-2+3'; initiatedBy = @{ user = @{ id = '22222222-2222-4222-8222-222222222222'; displayName = '@cmd'; userPrincipalName = '=cmd|'' /C calc''!A0'; ipAddress = '-1' } }; targetResources = @(); additionalDetails = @(@{ key = 'SupportRequestId'; value = '=2+5' }) }
            [ordered]@{ id = '33333333-3333-4333-8333-333333333333'; category = 'MicrosoftSupportAccessManagement'; correlationId = '@SUM(1)'; result = 'success'; resultReason = '+1'; activityDisplayName = 'Request approved'; activityDateTime = $now.AddMinutes(-20).ToString('o'); loggedByService = 'Core Directory'; operationType = 'Other'; initiatedBy = @{ user = @{ id = '44444444-4444-4444-8444-444444444444'; displayName = '-x'; userPrincipalName = '@admin@contoso.com'; ipAddress = '10.0.0.1' } }; targetResources = @(); additionalDetails = @() }
        )
        $body = [ordered]@{ '@odata.context' = 'https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits'; value = $records } | ConvertTo-Json -Depth 8
        $server = Start-ThreadJob -ScriptBlock {
            param($Listener, $Body)
            while ($Listener.IsListening) {
                try { $context = $Listener.GetContext() } catch { break }
                $bytes = [System.Text.Encoding]::UTF8.GetBytes($Body)
                $context.Response.ContentType = 'application/json'
                $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
                $context.Response.Close()
            }
        } -ArgumentList $listener, $body
        $own = Connect-SupportAccess -AccessToken ($Token | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint "http://127.0.0.1:$port/" -PassThru
        try {
            $path = New-EvidencePath

            $summary = Export-SupportAccessActivity -Path $path -Connection $own -SkipRoleCheck -WarningAction SilentlyContinue

            $summary.Appended | Should -Be 2
            $expected = @(Get-SupportAccessActivity -Connection $own -SkipRoleCheck -WarningAction SilentlyContinue | ConvertTo-Csv)
            Get-FileText $path | Should -BeExactly (($expected -join [Environment]::NewLine) + [Environment]::NewLine)
            Get-FileText $path | Should -Match ([regex]::Escape('"=cmd|'' /C calc''!A0"'))
            Get-FileText $path | Should -Match ([regex]::Escape('"+SUM(1,2)","-2+3"'))
            Get-FileText $path | Should -Match ([regex]::Escape('"@admin@contoso.com"'))
        }
        finally {
            Disconnect-SupportAccess -Connection $own
            $listener.Stop()
            $server | Wait-Job -Timeout 5 | Out-Null
            $server | Remove-Job -Force
        }
    }
}

Describe '-WhatIf' {
    It 'Export-SupportAccessActivity -WhatIf writes nothing: no file, no folder, no checkpoint, no request' {
        $folder = Join-Path $TestDrive "whatif-$([guid]::NewGuid().ToString('N'))"
        $path = Join-Path $folder 'evidence.csv'
        $existing = Copy-Evidence $TemplateCsv
        $before = Get-FileText $existing
        $checkpoint = Get-FileText "$existing.checkpoint"
        $requests = Get-AuditRequestCount

        $new = @(Export-SupportAccessActivity -Path $path @Fast -WhatIf)
        $old = @(Export-SupportAccessActivity -Path $existing @Fast -WhatIf)

        $new.Count | Should -Be 0
        $old.Count | Should -Be 0
        Test-Path -LiteralPath $folder | Should -BeFalse
        Get-FileText $existing | Should -BeExactly $before
        Get-FileText "$existing.checkpoint" | Should -BeExactly $checkpoint
        Get-AuditRequestCount | Should -Be $requests
    }

    It 'Disconnect-SupportAccess -WhatIf keeps the connection' {
        $extra = Connect-SupportAccess -AccessToken ($Token | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $Emulator.BaseUri -PassThru
        try {
            $count = @(Get-SupportAccessConnection).Count

            Disconnect-SupportAccess -Connection $extra -WhatIf

            @(Get-SupportAccessConnection).Count | Should -Be $count
            @(Get-SupportAccessActivity -Connection $extra -First 1 -RequestsPer10Seconds 0 -WarningAction SilentlyContinue).Count | Should -Be 1
        }
        finally {
            Disconnect-SupportAccess -Connection $extra
        }
        @(Get-SupportAccessConnection).Count | Should -Be ($count - 1)
    }
}

Describe 'A server whose next-page link leads back to page 1 for ever' {
    It 'ends the read after a few repeated pages with PagesRepeated, keeps what was written once, and the next run completes the file' {
        # The emulator fault loopToFirstPage: page 2's nextLink leads back to page 1 under a new skiptoken, 1000 times.
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'loopToFirstPage'; page = 2; times = 1000 }
        Clear-EmulatorRequestLog -Emulator $Emulator
        $path = New-EvidencePath
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Manifest, $Connection, $Path)
                    Import-Module $Manifest
                    try { Export-SupportAccessActivity -Path $Path -Connection $Connection -RequestsPer10Seconds 0 -WarningAction SilentlyContinue -ErrorAction Stop }
                    catch { $_ }
                }).AddArgument($ModuleManifest).AddArgument($Connection).AddArgument($path)
            $handle = $ps.BeginInvoke()
            # Only against a hang; the bound that matters is in pages, below.
            $ended = $handle.AsyncWaitHandle.WaitOne([timespan]::FromSeconds(60))
            if (-not $ended) { $ps.Stop() }
            $ended | Should -BeTrue -Because 'a read that only sees pages it has read must stop'
            $output = @($ps.EndInvoke($handle))
            # A page is logged once the emulator has written it, which may be just after the client read it: let the log settle.
            $settle = [datetime]::UtcNow.AddSeconds(30)
            do { $pages = @(Get-EmulatorRequest -Emulator $Emulator | Where-Object path -Like '*/auditLogs/directoryAudits') } while ($pages.Count -lt 7 -and [datetime]::UtcNow -lt $settle -and -not (Start-Sleep -Milliseconds 100))
            $pages.Count | Should -Be 7 -Because 'pages 1 and 2, then five pages it had read already ended the read, not the thousand of the loop'
        }
        finally {
            $ps.Dispose()
            Set-EmulatorFault -Emulator $Emulator -Fault @()
        }

        $failure = $output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }
        $failure.FullyQualifiedErrorId | Should -BeLike 'PagesRepeated,*'
        $rows = @(Import-Csv -LiteralPath $path)
        $rows.Count | Should -Be 1998 -Because 'pages 1 and 2 were written, each activity once'
        @($rows.Id | Sort-Object -Unique).Count | Should -Be $rows.Count

        $summary = Export-SupportAccessActivity -Path $path @Fast

        $summary.Appended | Should -Be ($AllIds.Count - 1998)
        Assert-EveryActivityOnce $path
    }
}
