#Requires -Version 7.4
<#
.SYNOPSIS
Issues 6, 10, 11 and 12 benchmarks: (a) transfer floor, (b) Graph SDK, (c) the activity reader and Graph source, (d) the
cmdlet in pwsh, ConvertTo-Csv and ConvertTo-Json of its objects against plain rows, peak memory of
Export-Csv, cold start, -First 10, and the Log Analytics path (w) against the same answers raw (r)
with its peak memory, the memory Get-SupportAccessRequest holds while grouping, eight tenants against one, and
(issue 21) continuing a 1,000,000-activity evidence file against a 1,000-activity one when nothing is new. Called by
`build.ps1 Bench`, which builds the module, the emulator and tests/perf/SupportAccessLogs.Perf first.
-ContinuationOnly runs the evidence-file step alone, -ReportOnly the report step (issue 25), -WorkspaceFilterOnly the
filters run in a workspace (issue 26), after `build.ps1 Build`, e.g.
dotnet pwsh tests/perf/Invoke-Bench.ps1 -ModuleManifest output/SupportAccessLogs/SupportAccessLogs.psd1 -PerfAssembly output/perf/SupportAccessLogs.Perf.dll -ContinuationOnly
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $PerfAssembly,
    [int] $Records = 20000,
    [int] $Runs = 5,
    [int[]] $MemoryRecords = @(50000, 200000),
    [int[]] $WorkspaceRows = @(50000, 200000),
    # Issue 21: the sizes of the evidence files continued (activities; the first is the baseline).
    [int[]] $EvidenceActivities = @(1000, 1000000),
    # Timed continuations of each evidence file (the median is the figure).
    [int] $EvidenceRuns = 3,
    # Where the evidence files are made; the big file's generated records are cached here between runs.
    [string] $EvidenceFolder = (Join-Path $PSScriptRoot '../../output/bench-evidence'),
    # Only the evidence-file step (issue 21).
    [switch] $ContinuationOnly,
    # Only the report step (issue 25).
    [switch] $ReportOnly,
    # Only the workspace filter step (issue 26).
    [switch] $WorkspaceFilterOnly,
    # Issue 25: the sizes of the reports made (activities).
    [int[]] $ReportActivities = @(10000, 100000),
    [switch] $Micro
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../pester/EmulatorProcess.psm1') -Force
$ModuleManifest = (Resolve-Path -LiteralPath $ModuleManifest).Path
if (-not $ContinuationOnly) { $PerfAssembly = (Resolve-Path -LiteralPath $PerfAssembly).Path }

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    $middle = [math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

function Invoke-Child([string] $Script, $Emulator, [int] $TimeoutSeconds = 900) {
    $environment = @{ SAL_MODULE = $ModuleManifest }
    if ($Emulator) {
        $environment.SAL_URL = [string]$Emulator.BaseUri
        $environment.SAL_TOKEN = Get-EmulatorToken -Emulator $Emulator
    }
    $result = Invoke-ChildPwsh -Script $Script -Environment $environment -TimeoutSeconds $TimeoutSeconds
    if ($result.ExitCode -ne 0) { throw "Child pwsh failed ($($result.ExitCode)): $($result.Output) $($result.Error)" }
    # The result is the child's last line of output.
    $result.Output -split "`r?`n" | Where-Object { $_.Trim() } | Select-Object -Last 1
}

# Every child connects the same way; the timed part follows.
$connect = @'
$ErrorActionPreference = 'Stop'
Import-Module $env:SAL_MODULE
Connect-SupportAccess -AccessToken (ConvertTo-SecureString $env:SAL_TOKEN -AsPlainText -Force) -GraphEndpoint $env:SAL_URL | Out-Null
$query = @{ RequestsPer10Seconds = 0; SkipRoleCheck = $true }
'@

# Issue 21: continuing an evidence file must not cost more as the file grows. Two files made alike,
# of $EvidenceActivities[0] and [-1] activities: real records the module returns (from a dedicated
# emulator, as ConvertTo-Csv writes them), each written again with a distinct Id and a past
# ActivityDateTime (from two days before now backwards, a minute apart: none lies in the last day,
# whose ids a checkpoint keeps, and the file's newest is inside Graph's 30 days, so the first run
# is no gap), then the source's own records added by a first Export (the file has no checkpoint, so
# that run reads it whole and writes one: timed apart, the one-time cost of an old file). Then the
# continuations with nothing new (see below): peak working set (VmHWM) of a child per file, and
# wall time of both files in one child, in turn. Only the public cmdlets are used.
function Write-SyntheticEvidence([string] $Path, [string] $Header, [string[]] $Tails, [int] $Count, [datetime] $Newest) {
    # Streams the records to disk (never the file as one string): newest first, a minute apart,
    # from $Newest down; ids unique (prefix ee000000, the record number in the last group).
    $temporary = "$Path.partial"
    $writer = [IO.StreamWriter]::new($temporary, $false, [Text.UTF8Encoding]::new($false), 1MB)
    try {
        $writer.NewLine = "`n"
        $writer.WriteLine($Header)
        $culture = [cultureinfo]::InvariantCulture
        for ($i = 0; $i -lt $Count; $i++) {
            $writer.Write('"')
            $writer.Write($Newest.AddMinutes(-$i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $culture))
            $writer.Write('","ee000000-0000-4000-8000-')
            $writer.Write($i.ToString('x12', $culture))
            $writer.Write('"')
            $writer.WriteLine($Tails[$i % $Tails.Count])
        }
    }
    finally {
        $writer.Dispose()
    }
    Move-Item -LiteralPath $temporary -Destination $Path -Force
}

function Invoke-ContinuationBench {
    $figures = [ordered]@{}
    # Other work on the machine moves these few-millisecond figures more than anything measured.
    $figures.LoadAverage = if (Test-Path -LiteralPath /proc/loadavg) { ((Get-Content -LiteralPath /proc/loadavg) -split ' ')[0..2] -join ' ' } else { 'n/a' }
    New-Item -ItemType Directory -Path $EvidenceFolder -Force | Out-Null
    $folder = (Resolve-Path -LiteralPath $EvidenceFolder).Path
    $emulator = Start-GraphEmulator -BulkRecordCount 0
    $working = @()
    try {
        # The template: what Export-Csv would write of the source's activities (one string per record,
        # line feeds inside quoted values and all). Every record begins "<ActivityDateTime>","<Id>",.
        $templatePath = Join-Path $folder 'template.json'
        Invoke-Child ($connect + @"

`$csv = @(Get-SupportAccessActivity @query -WarningAction SilentlyContinue | ConvertTo-Csv)
ConvertTo-Json -InputObject `$csv -Compress | Set-Content -LiteralPath '$($templatePath -replace "'", "''")' -Encoding utf8NoBOM
`$csv.Count
"@) $emulator | Out-Null
        $template = @(Get-Content -LiteralPath $templatePath -Raw | ConvertFrom-Json)
        Remove-Item -LiteralPath $templatePath
        $header = $template[0]
        if ($header -notlike '"ActivityDateTime","Id",*') { throw "The activities' CSV header no longer begins with ActivityDateTime, Id: $header" }
        $tails = @($template | Select-Object -Skip 1 | ForEach-Object {
                if ($_ -notmatch '(?s)^"[^"]*","[^"]*"(?<tail>,.*)$') { throw "A record of the template does not begin with two quoted values: $_" }
                $Matches.tail
            })
        # Three late records 5 minutes back: what each continuation reads again in its overlap and finds held.
        $late = @(Add-EmulatorLateRecord -Emulator $emulator -Count 3 -MinutesAgo 5).Count
        $fromSource = $tails.Count + $late
        $figures.EvidenceFromSource = $fromSource

        foreach ($count in $EvidenceActivities) {
            $synthetic = $count - $fromSource
            if ($synthetic -lt 1) { throw "An evidence file of $count activities can't be made: the emulator alone serves $fromSource." }
            # Cached by the header (the columns), the number of records and the newest record's time
            # (minute), used while that lies 1 to 20 days back: older than the last day, whose ids a
            # checkpoint keeps, and well inside Graph's 30 days.
            $hash = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($header))).Substring(0, 12).ToLowerInvariant()
            $now = [datetime]::UtcNow
            $cache = Get-ChildItem -LiteralPath $folder -Filter "synthetic-$synthetic-$hash-*.csv" | Where-Object {
                $newest = [datetime]::MinValue
                [datetime]::TryParseExact($_.BaseName.Split('-')[-1], "yyyyMMdd'T'HHmm'Z'", [cultureinfo]::InvariantCulture,
                    [Globalization.DateTimeStyles]'AdjustToUniversal, AssumeUniversal', [ref]$newest) -and
                $newest -lt $now.AddDays(-1) -and $newest -gt $now.AddDays(-20)
            } | Select-Object -First 1 -ExpandProperty FullName
            if (-not $cache) {
                Get-ChildItem -LiteralPath $folder -Filter "synthetic-$synthetic-*.csv" | Remove-Item
                $newest = $now.AddDays(-2)
                $newest = [datetime]::new($newest.Ticks - $newest.Ticks % [timespan]::TicksPerMinute, [DateTimeKind]::Utc)
                $cache = Join-Path $folder ("synthetic-$synthetic-$hash-{0:yyyyMMdd'T'HHmm'Z'}.csv" -f $newest)
                $watch = [Diagnostics.Stopwatch]::StartNew()
                Write-SyntheticEvidence -Path $cache -Header $header -Tails $tails -Count $synthetic -Newest $newest
                $figures["EvidenceGeneratedMs$count"] = $watch.Elapsed.TotalMilliseconds
            }
            $path = Join-Path $folder "evidence-$count.csv"
            Remove-Item -LiteralPath $path, "$path.checkpoint" -ErrorAction Ignore
            Copy-Item -LiteralPath $cache -Destination $path
            $working += $path

            # The first run: no checkpoint, so the file is read whole; the source's records are appended.
            $quoted = $path -replace "'", "''"
            $first = Invoke-Child ($connect + @"

`$summary = `$null
`$ms = (Measure-Command { `$summary = Export-SupportAccessActivity -Path '$quoted' @query -WarningAction SilentlyContinue }).TotalMilliseconds
@{ Ms = `$ms; Appended = `$summary.Appended; Complete = `$summary.Complete; Peak = [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 } | ConvertTo-Json -Compress
"@) $emulator | ConvertFrom-Json
            if (-not $first.Complete -or $first.Appended -ne $fromSource) {
                throw "The first Export on '$path' appended $($first.Appended) activities (complete: $($first.Complete)); the source serves $fromSource."
            }
            $figures["EvidenceActivities$count"] = $synthetic + $first.Appended
            $figures["EvidenceBytes$count"] = (Get-Item -LiteralPath $path).Length
            $figures["FirstMs$count"] = $first.Ms
            $figures["FirstPeakMB$count"] = $first.Peak / 1MB
        }

        # The continuations, nothing new. Per file, a fresh child for peak memory: a cold run (a
        # nightly runbook's case, reported apart), then two more. For wall time, one child
        # continues both files in turn (so the load on the machine, which swings, falls on both
        # alike): five rounds of warm-up (the JIT's second tier), then three timed rounds, each
        # round taking the files in the other order; the median of each file's three.
        $continue = $connect + @'

function Step([string] $Path) {
    $summary = $null
    $cpu = [Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime
    $ms = (Measure-Command { $summary = Export-SupportAccessActivity -Path $Path @query -WarningAction SilentlyContinue }).TotalMilliseconds
    $cpu = ([Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime - $cpu).TotalMilliseconds
    @{ Path = $Path; Ms = $ms; CpuMs = $cpu; Appended = $summary.Appended; AlreadyPresent = $summary.AlreadyPresent; Complete = $summary.Complete
       # From its checkpoint a run reads from the last run's end less the overlap, not Graph's 30 days.
       FromCheckpoint = ([datetime]$summary.WindowStart) -gt [datetime]::UtcNow.AddHours(-2)
       Length = (Get-Item -LiteralPath $Path).Length }
}
'@
        $paths = @($EvidenceActivities | ForEach-Object { Join-Path $folder "evidence-$_.csv" })
        $check = {
            param($run)
            $count = $EvidenceActivities[[array]::IndexOf($paths, $run.Path)]
            if (-not $run.Complete -or $run.Appended -ne 0 -or $run.Length -ne $figures["EvidenceBytes$count"] -or -not $run.FromCheckpoint) {
                throw "A continuation of '$($run.Path)' did not go as set up (nothing new, from its checkpoint): $($run | ConvertTo-Json -Compress)"
            }
            $count
        }
        foreach ($path in $paths) {
            $memory = Invoke-Child ($continue + @"

`$runs = foreach (`$i in 1..3) { Step '$($path -replace "'", "''")' }
@{ Runs = @(`$runs); Peak = [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 } | ConvertTo-Json -Compress -Depth 3
"@) $emulator | ConvertFrom-Json
            foreach ($run in $memory.Runs) { $count = & $check $run }
            $figures["ContinueColdMs$count"] = $memory.Runs[0].Ms
            $figures["ContinuePeakMB$count"] = $memory.Peak / 1MB
        }

        $list = ($paths | ForEach-Object { "'" + ($_ -replace "'", "''") + "'" }) -join ', '
        $timed = Invoke-Child ($continue + @"

`$paths = @($list)
foreach (`$i in 1..5) { foreach (`$path in `$paths) { Step `$path | Out-Null } }
`$runs = foreach (`$i in 1..$EvidenceRuns) {
    `$order = if (`$i % 2) { `$paths } else { `$paths[(`$paths.Count - 1)..0] }
    foreach (`$path in `$order) { Step `$path }
}
ConvertTo-Json -InputObject @(`$runs) -Compress -Depth 3
"@) $emulator | ConvertFrom-Json
        $byCount = @{}
        foreach ($run in $timed) { $count = & $check $run; $byCount[$count] += @($run) }
        foreach ($count in $EvidenceActivities) {
            $figures["ContinueRunsMs$count"] = @($byCount[$count] | ForEach-Object Ms)
            $figures["ContinueMs$count"] = Get-Median $figures["ContinueRunsMs$count"]
            $figures["ContinueCpuMs$count"] = Get-Median @($byCount[$count] | ForEach-Object CpuMs)
            $figures["ContinueHeld$count"] = $byCount[$count][-1].AlreadyPresent
        }
    }
    finally {
        Stop-GraphEmulator -Emulator $emulator
        # The copies read and continued go; the generated records stay cached for the next run.
        foreach ($path in $working) { Remove-Item -LiteralPath $path, "$path.checkpoint" -ErrorAction Ignore }
    }
    $figures
}

function Get-ContinuationRows($f) {
    $small, $large = $EvidenceActivities[0], $EvidenceActivities[-1]
    $describe = { param($count) '{0:N0} activities, {1:0.0} MB' -f $f["EvidenceActivities$count"], ($f["EvidenceBytes$count"] / 1MB) }
    foreach ($count in $small, $large) {
        $generated = if ($f.Contains("EvidenceGeneratedMs$count")) { 'records generated in {0:0.0} s' -f ($f["EvidenceGeneratedMs$count"] / 1000) } else { 'records from the cache' }
        [pscustomobject]@{ Measure = "first Export, no checkpoint (read whole), $(& $describe $count), ms"; Value = '{0:0}' -f $f["FirstMs$count"]
            Goal = 'one-time; peak RSS {0:0} MB; {1}' -f $f["FirstPeakMB$count"], $generated }
    }
    foreach ($count in $small, $large) {
        [pscustomobject]@{ Measure = "continue $(& $describe $count), nothing new, ms"; Value = '{0:0.0}' -f $f["ContinueMs$count"]
            Goal = 'runs {0}; CPU {1:0.0}; cold (a fresh pwsh) {2:0}; {3} found held in the overlap' -f (($f["ContinueRunsMs$count"] | ForEach-Object { '{0:0.0}' -f $_ }) -join ', '),
                $f["ContinueCpuMs$count"], $f["ContinueColdMs$count"], $f["ContinueHeld$count"] }
    }
    $ratio = $f["ContinueMs$large"] / $f["ContinueMs$small"]
    [pscustomobject]@{ Measure = "continue: time $large / $small"; Value = '{0:0.00}' -f $ratio; Goal = '<= 2: ' + ($ratio -le 2) }
    [pscustomobject]@{ Measure = "continue: time $large / $small, cold runs"; Value = '{0:0.00}' -f ($f["ContinueColdMs$large"] / $f["ContinueColdMs$small"]); Goal = '' }
    foreach ($count in $small, $large) {
        [pscustomobject]@{ Measure = "continue: peak RSS, $count activities, MB"; Value = '{0:0}' -f $f["ContinuePeakMB$count"]; Goal = '' }
    }
    $more = $f["ContinuePeakMB$large"] - $f["ContinuePeakMB$small"]
    [pscustomobject]@{ Measure = "continue: peak RSS $large - $small, MB"; Value = '{0:+0;-0;0}' -f $more; Goal = '<= 100 MB: ' + ($more -le 100) }
}

if ($Micro) {
    & dotnet $PerfAssembly --micro --filter '*' | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "BenchmarkDotNet failed ($LASTEXITCODE)." }
    return
}

# Issue 25: the HTML report. The page of N activities against JSON lines of the same activities in
# one process (ReportBenchmark), its size, and Chromium's load of it: headless Chromium (Debian's,
# as the browser tests use it) dumping the page's DOM once loaded, against the same for a page of
# one line, alternately, the median of $Runs. Measured, never asserted.
function Invoke-ReportBench {
    $figures = [ordered]@{}
    $folder = Join-Path $PSScriptRoot '../../output/perf/report'
    $chromium = '/usr/bin/chromium'
    $blank = Join-Path $folder 'blank.html'
    New-Item -ItemType Directory -Path $folder -Force | Out-Null
    Set-Content -LiteralPath $blank -Value '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>blank</title></head><body><p>blank</p></body></html>' -Encoding utf8NoBOM
    function Measure-Load([string] $Page) {
        $profile = Join-Path ([IO.Path]::GetTempPath()) ("bench-chromium-" + [guid]::NewGuid())
        try {
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $null = & $chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking `
                --disable-component-update --disable-sync "--user-data-dir=$profile" --dump-dom ([uri]$Page).AbsoluteUri 2>$null
            if ($LASTEXITCODE -ne 0) { throw "Chromium failed on $Page ($LASTEXITCODE)." }
            $watch.Elapsed.TotalMilliseconds
        }
        finally { Remove-Item -LiteralPath $profile -Recurse -Force -ErrorAction Ignore }
    }
    foreach ($count in $ReportActivities) {
        $output = & dotnet $PerfAssembly --report $count $Runs $folder
        if ($LASTEXITCODE -ne 0) { throw "The report harness failed ($LASTEXITCODE)." }
        $output | Where-Object { $_ -notlike 'RESULT *' -and $_ -notlike 'PAGE *' } | Out-Host
        foreach ($pair in (($output | Where-Object { $_ -like 'RESULT *' }) -replace '^RESULT ', '') -split ' ') {
            $name, $value = $pair -split '='
            $figures[$name] = [double]::Parse($value, [cultureinfo]::InvariantCulture)
        }
        $page = (Resolve-Path -LiteralPath (($output | Where-Object { $_ -like 'PAGE *' }) -replace '^PAGE ', '')).Path
        if (Test-Path -LiteralPath $chromium) {
            $loads = @(); $blanks = @()
            for ($run = 0; $run -le $Runs; $run++) {
                $first, $second = if ($run % 2) { $blank, $page } else { $page, $blank }
                $a = Measure-Load $first; $b = Measure-Load $second
                if ($run -eq 0) { continue }
                if ($first -eq $page) { $loads += $a; $blanks += $b } else { $loads += $b; $blanks += $a }
            }
            $figures["reportLoadMs$count"] = Get-Median $loads
            $figures["reportBlankLoadMs$count"] = Get-Median $blanks
        }
    }
    $figures
}

function Get-ReportRows($f) {
    foreach ($count in $ReportActivities) {
        [pscustomobject]@{ Measure = "report of $count activities ($($f["reportRequests$count"]) requests), ms"; Value = '{0:0.0}' -f $f["reportMs$count"]
            Goal = 'per 10,000 activities: {0:0.0} ms' -f ($f["reportMs$count"] * 10000 / $count) }
        [pscustomobject]@{ Measure = "  / the same activities as JSON lines ($('{0:0.0}' -f $f["reportJsonMs$count"]) ms)"; Value = '{0:0.00}' -f ($f["reportMs$count"] / $f["reportJsonMs$count"]); Goal = '' }
        [pscustomobject]@{ Measure = "  file size, KiB"; Value = '{0:0}' -f ($f["reportBytes$count"] / 1KB); Goal = 'per 10,000 activities: {0:0} KiB' -f ($f["reportBytes$count"] / 1KB * 10000 / $count) }
        if ($f.Contains("reportLoadMs$count")) {
            [pscustomobject]@{ Measure = "  Chromium load (dump-dom), ms / a one-line page"; Value = '{0:0} / {1:0}' -f $f["reportLoadMs$count"], $f["reportBlankLoadMs$count"]
                Goal = 'ratio {0:0.00}' -f ($f["reportLoadMs$count"] / $f["reportBlankLoadMs$count"]) }
        }
    }
}

# Issue 26: filters that run in the workspace. The single filter value nearest 5 % of the rows,
# read with and without it, against the emulator (whose KQL interpreter does the workspace's work
# on these cores) and against the same answers replayed (the module and the wire alone).
function Invoke-WorkspaceFilterBench {
    $output = & dotnet $PerfAssembly --workspace-filter $WorkspaceRows[-1] --runs 3
    if ($LASTEXITCODE -ne 0) { throw "The workspace filter harness failed ($LASTEXITCODE)." }
    $output | Where-Object { $_ -notlike 'RESULT *' } | Out-Host
    $line = $output | Where-Object { $_ -like 'RESULT *' } | Select-Object -Last 1
    $result = [ordered]@{}
    foreach ($pair in ($line -replace '^RESULT ', '') -split ' ') {
        $name, $value = $pair -split '='
        $parsed = 0.0
        $result[$name] = if ([double]::TryParse($value, [Globalization.NumberStyles]::Float, [cultureinfo]::InvariantCulture, [ref] $parsed)) { $parsed } else { $value -replace '_', ' ' }
    }
    $result
}

function Get-WorkspaceFilterRows($f) {
    [pscustomobject]@{ Measure = "filter in the workspace ($($f.filter), {0:P1} of $($WorkspaceRows[-1]) rows): rows transferred / rows matching" -f $f.share; Value = '{0:0.000}' -f $f.transferratio
        Goal = '<= 1.1: ' + ($f.transferratio -le 1.1) }
    [pscustomobject]@{ Measure = '  wall time filtered / unfiltered, the answers replayed (the module and the wire)'; Value = '{0:0.000}' -f $f.replaytimeratio
        Goal = '<= 0.2: ' + ($f.replaytimeratio -le 0.2) }
    [pscustomobject]@{ Measure = '  wall time filtered / unfiltered, the emulator interpreting the KQL on the same cores'; Value = '{0:0.000}' -f $f.emulatortimeratio; Goal = '' }
}

if ($WorkspaceFilterOnly) {
    $f = Invoke-WorkspaceFilterBench
    Write-Host ''
    Get-WorkspaceFilterRows $f | Format-Table -AutoSize | Out-String -Width 200 | Out-Host
    return
}

if ($ReportOnly) {
    $f = Invoke-ReportBench
    Write-Host ''
    Get-ReportRows $f | Format-Table -AutoSize | Out-String -Width 200 | Out-Host
    return
}

if ($ContinuationOnly) {
    $f = Invoke-ContinuationBench
    Write-Host ''
    Write-Host "Continuing an evidence file (issue 21): $($f.EvidenceFromSource) of each file's activities come from the emulator; the rest are its records written again. Load average at the start: $($f.LoadAverage)."
    Get-ContinuationRows $f | Format-Table -AutoSize | Out-String -Width 250 | Out-Host
    return
}

$figures = [ordered]@{}
$emulator = Start-GraphEmulator -BulkRecordCount $Records
try {
    # (a), (b), (c): one process, interleaved runs, against the same emulator process as (d).
    $output = & dotnet $PerfAssembly --base-url $emulator.BaseUri --records $Records --runs $Runs
    if ($LASTEXITCODE -ne 0) { throw "The perf harness failed ($LASTEXITCODE)." }
    $output | Where-Object { $_ -notlike 'RESULT *' } | Out-Host
    $line = $output | Where-Object { $_ -like 'RESULT *' } | Select-Object -Last 1
    foreach ($pair in ($line -replace '^RESULT ', '') -split ' ') {
        $name, $value = $pair -split '='
        $figures[$name] = [double]::Parse($value, [cultureinfo]::InvariantCulture)
    }

    # (d): Measure-Command around the pipeline only, at steady state. pwsh keeps compiling new
    # code while a script runs, which holds back the JIT's second tier; one warm-up run left the
    # next few runs 30-60% slower than later ones, so there are five, for each pipeline timed
    # (Export-Csv's own code and our objects' ToString are compiled only when it first runs;
    # without its own warm-up the median held its cold runs: 1,069 ms against 398-550 ms warm).
    # (c)'s process compiles little else, and one warm-up run is enough there.
    $csv = Join-Path ([IO.Path]::GetTempPath()) "sal-bench-$PID.csv"
    $script = $connect + @"

foreach (`$i in 1..5) { Get-SupportAccessActivity @query | Out-Null }
foreach (`$i in 1..5) { Get-SupportAccessActivity @query | Export-Csv -LiteralPath '$csv' -NoTypeInformation }
`$null_ = foreach (`$i in 1..$Runs) { (Measure-Command { Get-SupportAccessActivity @query | Out-Null }).TotalMilliseconds }
`$csv_ = foreach (`$i in 1..$Runs) { (Measure-Command { Get-SupportAccessActivity @query | Export-Csv -LiteralPath '$csv' -NoTypeInformation }).TotalMilliseconds }
`$count = (Import-Csv -LiteralPath '$csv' | Measure-Object).Count
@{ OutNull = `$null_; ExportCsv = `$csv_; Count = `$count } | ConvertTo-Json -Compress
"@
    $d = Invoke-Child $script $emulator | ConvertFrom-Json
    Remove-Item -LiteralPath $csv -ErrorAction Ignore
    $figures.dOutNull = Get-Median $d.OutNull
    $figures.dExportCsv = Get-Median $d.ExportCsv
    $figures.dCount = $d.Count

    # What PowerShell's own writers cost on our objects (issue 10): ConvertTo-Csv and ConvertTo-Json
    # of the cmdlet's objects against [pscustomobject] rows holding the same values, in one child.
    # Our objects are read afresh before each timed run (never timed twice), so no per-object cache
    # that a first pass would warm is counted in our favour.
    $script = $connect + @"

`$plain = @(Get-SupportAccessActivity @query | Select-Object -Property *)
`$fresh = { ,@(Get-SupportAccessActivity @query) }
foreach (`$i in 1..2) { `$a = & `$fresh; `$a | ConvertTo-Csv | Out-Null; `$a | ConvertTo-Json -Depth 2 | Out-Null; `$plain | ConvertTo-Csv | Out-Null; `$plain | ConvertTo-Json -Depth 2 | Out-Null }
`$csvOurs = foreach (`$i in 1..$Runs) { `$a = & `$fresh; (Measure-Command { `$a | ConvertTo-Csv | Out-Null }).TotalMilliseconds }
`$csvPlain = foreach (`$i in 1..$Runs) { (Measure-Command { `$plain | ConvertTo-Csv | Out-Null }).TotalMilliseconds }
`$jsonOurs = foreach (`$i in 1..$Runs) { `$a = & `$fresh; (Measure-Command { `$a | ConvertTo-Json -Depth 2 | Out-Null }).TotalMilliseconds }
`$jsonPlain = foreach (`$i in 1..$Runs) { (Measure-Command { `$plain | ConvertTo-Json -Depth 2 | Out-Null }).TotalMilliseconds }
@{ CsvOurs = `$csvOurs; CsvPlain = `$csvPlain; JsonOurs = `$jsonOurs; JsonPlain = `$jsonPlain } | ConvertTo-Json -Compress
"@
    $w = Invoke-Child $script $emulator | ConvertFrom-Json
    $figures.CsvOurs = Get-Median $w.CsvOurs
    $figures.CsvPlain = Get-Median $w.CsvPlain
    $figures.JsonOurs = Get-Median $w.JsonOurs
    $figures.JsonPlain = Get-Median $w.JsonPlain

    # -First 10: requests the emulator saw for directoryAudits.
    $before = Get-EmulatorRequestCount -Emulator $emulator
    $first = Invoke-Child ($connect + "`n(Get-SupportAccessActivity @query -First 10 | Measure-Object).Count") $emulator
    $figures.First10Requests = (Get-EmulatorRequestCount -Emulator $emulator) - $before
    $figures.First10Objects = [int]($first)

    # Cold start: bare pwsh vs Import-Module + connect + first object, Stopwatch around the child.
    $bare = foreach ($i in 0..$Runs) {
        $watch = [Diagnostics.Stopwatch]::StartNew(); Invoke-Child '1' $null | Out-Null; $watch.Elapsed.TotalMilliseconds
    }
    $module = foreach ($i in 0..$Runs) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Invoke-Child ($connect + "`nGet-SupportAccessActivity @query -First 1 | Out-Null") $emulator | Out-Null
        $watch.Elapsed.TotalMilliseconds
    }
    # The first of each is a warm-up (disk cache).
    $figures.ColdBare = Get-Median ($bare | Select-Object -Skip 1)
    $figures.ColdModule = Get-Median ($module | Select-Object -Skip 1)
}
finally {
    Stop-GraphEmulator -Emulator $emulator
}

# Memory: peak working set (VmHWM on Linux) of a child piping everything to Export-Csv.
foreach ($count in $MemoryRecords) {
    $emulator = Start-GraphEmulator -BulkRecordCount $count
    try {
        $csv = Join-Path ([IO.Path]::GetTempPath()) "sal-bench-mem-$PID.csv"
        $peak = Invoke-Child ($connect + @"

Get-SupportAccessActivity @query | Export-Csv -LiteralPath '$csv' -NoTypeInformation
[Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64
"@) $emulator
        Remove-Item -LiteralPath $csv -ErrorAction Ignore
        $figures["PeakMB$count"] = [long]($peak) / 1MB
    }
    finally {
        Stop-GraphEmulator -Emulator $emulator
    }
}

# Issue 11: the workspace path. (w) the Log Analytics source against (r) the same answers fetched
# raw, in the harness's process with the emulator in-process; then the peak memory of a child
# piping 180 days of a workspace into Export-Csv, at two sizes.
$output = & dotnet $PerfAssembly --workspace-rows $WorkspaceRows[-1] --runs 3
if ($LASTEXITCODE -ne 0) { throw "The workspace harness failed ($LASTEXITCODE)." }
$output | Where-Object { $_ -notlike 'RESULT *' } | Out-Host
$line = $output | Where-Object { $_ -like 'RESULT *' } | Select-Object -Last 1
foreach ($pair in ($line -replace '^RESULT ', '') -split ' ') {
    $name, $value = $pair -split '='
    $figures[$name] = [double]::Parse($value, [cultureinfo]::InvariantCulture)
}

foreach ($count in $WorkspaceRows) {
    $emulator = Start-GraphEmulator -LogAnalyticsBulkRows $count
    try {
        $csv = Join-Path ([IO.Path]::GetTempPath()) "sal-bench-la-$PID.csv"
        $environment = @{
            SAL_MODULE = $ModuleManifest; SAL_URL = [string]$emulator.BaseUri
            SAL_TOKEN = Get-EmulatorToken -Emulator $emulator
            SAL_LA_TOKEN = Get-EmulatorToken -Emulator $emulator -Claims @{ api = 'loganalytics' }
        }
        $result = Invoke-ChildPwsh -Environment $environment -TimeoutSeconds 900 -Script @"
`$ErrorActionPreference = 'Stop'
Import-Module `$env:SAL_MODULE
Connect-SupportAccess -AccessToken (ConvertTo-SecureString `$env:SAL_TOKEN -AsPlainText -Force) -LogAnalyticsAccessToken (ConvertTo-SecureString `$env:SAL_LA_TOKEN -AsPlainText -Force) -GraphEndpoint `$env:SAL_URL -LogAnalyticsEndpoint `$env:SAL_URL | Out-Null
Get-SupportAccessActivity -WorkspaceId b4c6d8e0-2f1a-4b3c-9d5e-7f8a9b0c1d2e -StartTime ([datetime]::UtcNow.AddDays(-179)) -WarningAction SilentlyContinue | Export-Csv -LiteralPath '$csv' -NoTypeInformation
[Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64
"@
        if ($result.ExitCode -ne 0) { throw "Child pwsh failed ($($result.ExitCode)): $($result.Output) $($result.Error)" }
        Remove-Item -LiteralPath $csv -ErrorAction Ignore
        $figures["WorkspacePeakMB$count"] = [long](($result.Output -split "`r?`n" | Where-Object { $_.Trim() } | Select-Object -Last 1)) / 1MB
    }
    finally {
        Stop-GraphEmulator -Emulator $emulator
    }
}

# Issue 12: what Get-SupportAccessRequest holds while it groups, against holding the activities.
foreach ($count in 50000, 200000) {
    $output = & dotnet $PerfAssembly --request-grouping $count 4
    if ($LASTEXITCODE -ne 0) { throw "The grouping harness failed ($LASTEXITCODE)." }
    $output | Where-Object { $_ -notlike 'RESULT *' } | Out-Host
    foreach ($pair in (($output | Where-Object { $_ -like 'RESULT *' }) -replace '^RESULT ', '') -split ' ') {
        $name, $value = $pair -split '='
        $figures[$name] = [double]::Parse($value, [cultureinfo]::InvariantCulture)
    }
}

# Issue 13: eight tenants side by side against one, the emulator's throttle and the module's pacing on.
$output = & dotnet $PerfAssembly --tenants
if ($LASTEXITCODE -ne 0) { throw "The tenants harness failed ($LASTEXITCODE)." }
$output | Where-Object { $_ -notlike 'RESULT *' } | Out-Host
foreach ($pair in (($output | Where-Object { $_ -like 'RESULT *' }) -replace '^RESULT ', '') -split ' ') {
    $name, $value = $pair -split '='
    $figures[$name] = [double]::Parse($value, [cultureinfo]::InvariantCulture)
}

# Issue 21: continuing an evidence file of 1,000,000 activities against one of 1,000, nothing new.
$continuation = Invoke-ContinuationBench

# Issue 25: the HTML report.
$report = Invoke-ReportBench
$workspaceFilter = Invoke-WorkspaceFilterBench

$f = $figures
$small, $large = $MemoryRecords[0], $MemoryRecords[-1]
$laSmall, $laLarge = $WorkspaceRows[0], $WorkspaceRows[-1]
$rows = @(
    [pscustomobject]@{ Measure = '(a) raw HttpClient, ms'; Value = '{0:0.0}' -f $f.a; Goal = '' }
    [pscustomobject]@{ Measure = '(b) Graph SDK typed, ms'; Value = '{0:0.0}' -f $f.b; Goal = '' }
    [pscustomobject]@{ Measure = '(c) activity reader + Graph source, ms'; Value = '{0:0.0}' -f $f.c; Goal = '' }
    [pscustomobject]@{ Measure = '(e) SDK adapter, no parse, ms'; Value = '{0:0.0}' -f $f.e; Goal = '' }
    [pscustomobject]@{ Measure = '(d) cmdlet | Out-Null, ms'; Value = '{0:0.0}' -f $f.dOutNull; Goal = '' }
    [pscustomobject]@{ Measure = '(d) cmdlet | Export-Csv, ms'; Value = '{0:0.0}' -f $f.dExportCsv; Goal = '' }
    [pscustomobject]@{ Measure = 'c/a'; Value = '{0:0.00}' -f ($f.c / $f.a); Goal = '<= 1.3: ' + (($f.c / $f.a) -le 1.3) }
    [pscustomobject]@{ Measure = 'e/a (middleware)'; Value = '{0:0.00}' -f ($f.e / $f.a); Goal = '' }
    [pscustomobject]@{ Measure = 'b/c'; Value = '{0:0.00}' -f ($f.b / $f.c); Goal = '>= 4: ' + (($f.b / $f.c) -ge 4) }
    [pscustomobject]@{ Measure = 'd(Out-Null)/c'; Value = '{0:0.00}' -f ($f.dOutNull / $f.c); Goal = '<= 2: ' + (($f.dOutNull / $f.c) -le 2) }
    [pscustomobject]@{ Measure = 'd(Export-Csv)/c'; Value = '{0:0.00}' -f ($f.dExportCsv / $f.c); Goal = '<= 4: ' + (($f.dExportCsv / $f.c) -le 4) }
    [pscustomobject]@{ Measure = 'ConvertTo-Csv: ours, ms'; Value = '{0:0.0}' -f $f.CsvOurs; Goal = '' }
    [pscustomobject]@{ Measure = 'ConvertTo-Csv: [pscustomobject] rows, ms'; Value = '{0:0.0}' -f $f.CsvPlain; Goal = '' }
    [pscustomobject]@{ Measure = 'ConvertTo-Csv ours/plain'; Value = '{0:0.00}' -f ($f.CsvOurs / $f.CsvPlain); Goal = '<= 2: ' + (($f.CsvOurs / $f.CsvPlain) -le 2) }
    [pscustomobject]@{ Measure = 'ConvertTo-Json -Depth 2: ours, ms'; Value = '{0:0.0}' -f $f.JsonOurs; Goal = '' }
    [pscustomobject]@{ Measure = 'ConvertTo-Json -Depth 2: [pscustomobject] rows, ms'; Value = '{0:0.0}' -f $f.JsonPlain; Goal = '' }
    [pscustomobject]@{ Measure = 'ConvertTo-Json ours/plain'; Value = '{0:0.00}' -f ($f.JsonOurs / $f.JsonPlain); Goal = '<= 3: ' + (($f.JsonOurs / $f.JsonPlain) -le 3) }
    [pscustomobject]@{ Measure = "peak RSS $small -> Export-Csv, MB"; Value = '{0:0}' -f $f["PeakMB$small"]; Goal = '' }
    [pscustomobject]@{ Measure = "peak RSS $large -> Export-Csv, MB"; Value = '{0:0}' -f $f["PeakMB$large"]
        Goal = '< 250 MB and within 10% of {0}: {1}' -f $small, ($f["PeakMB$large"] -lt 250 -and $f["PeakMB$large"] -le 1.1 * $f["PeakMB$small"]) }
    [pscustomobject]@{ Measure = 'cold start: bare pwsh -c 1, ms'; Value = '{0:0}' -f $f.ColdBare; Goal = '' }
    [pscustomobject]@{ Measure = 'cold start: Import-Module + first object, ms'; Value = '{0:0}' -f $f.ColdModule
        Goal = '<= 1000 ms over bare: ' + (($f.ColdModule - $f.ColdBare) -le 1000) }
    [pscustomobject]@{ Measure = '-First 10: directoryAudits requests'; Value = "$($f.First10Requests) ($($f.First10Objects) objects)"; Goal = '1: ' + ($f.First10Requests -eq 1) }
    [pscustomobject]@{ Measure = "(r) workspace, same answers raw, ms ($($f.wrecords) rows, $($f.wqueries) queries)"; Value = '{0:0.0}' -f $f.r; Goal = '' }
    [pscustomobject]@{ Measure = '(w) workspace, Log Analytics source, ms'; Value = '{0:0.0}' -f $f.w; Goal = '' }
    [pscustomobject]@{ Measure = 'w/r'; Value = '{0:0.00}' -f ($f.w / $f.r); Goal = '<= 1.5: ' + (($f.w / $f.r) -le 1.5) }
    [pscustomobject]@{ Measure = "workspace peak RSS $laSmall rows -> Export-Csv, MB"; Value = '{0:0}' -f $f["WorkspacePeakMB$laSmall"]; Goal = '' }
    [pscustomobject]@{ Measure = "workspace peak RSS $laLarge rows -> Export-Csv, MB"; Value = '{0:0}' -f $f["WorkspacePeakMB$laLarge"]
        Goal = 'within 10% of {0}: {1}' -f $laSmall, ($f["WorkspacePeakMB$laLarge"] -le 1.1 * $f["WorkspacePeakMB$laSmall"]) }
    [pscustomobject]@{ Measure = '8 tenants x 6 pages / 1 tenant x 6 pages, wall'; Value = '{0:0.00} ({1:0} / {2:0} ms)' -f ($f.tenantsEight / $f.tenantsOne), $f.tenantsEight, $f.tenantsOne
        Goal = '<= 2.5: ' + (($f.tenantsEight / $f.tenantsOne) -le 2.5) }
    [pscustomobject]@{ Measure = '8 tenants: 429 answers seen'; Value = $f.tenants429; Goal = '0: ' + ($f.tenants429 -eq 0) }
    [pscustomobject]@{ Measure = '8 tenants: every record once'; Value = [bool]$f.tenantsOnce; Goal = 'True: ' + ([bool]$f.tenantsOnce) }
    foreach ($count in 50000, 200000) {
        $perRequest = $f["groupMB${count}x4"] * 1MB / $f["requests${count}x4"]
        [pscustomobject]@{ Measure = "grouping $count activities into $($f["requests${count}x4"]) requests, MB held"; Value = '{0:0.0}' -f $f["groupMB${count}x4"]
            Goal = '{0:0} B per request (the activities themselves: {1:0.0} MB)' -f $perRequest, $f["activitiesMB${count}x4"] }
    }
)
Write-Host ''
Write-Host "N = $Records bulk + scenario records ($($f.records) support-access activities from (c), $($f.dCount) rows in the CSV of (d)); medians of $Runs runs."
$rows | Format-Table -AutoSize | Out-String -Width 200 | Out-Host
Write-Host "Continuing an evidence file (issue 21): $($continuation.EvidenceFromSource) of each file's activities come from the emulator; the rest are its records written again. Load average at the start: $($continuation.LoadAverage)."
Get-ContinuationRows $continuation | Format-Table -AutoSize | Out-String -Width 250 | Out-Host
Write-Host 'The HTML report (issue 25):'
Get-ReportRows $report | Format-Table -AutoSize | Out-String -Width 200 | Out-Host
Write-Host 'Filters that run in the workspace (issue 26):'
Get-WorkspaceFilterRows $workspaceFilter | Format-Table -AutoSize | Out-String -Width 200 | Out-Host
