#Requires -Version 7.4
<#
.SYNOPSIS
Builds, tests and demonstrates the SupportAccessLogs module.

.DESCRIPTION
Run through the pinned PowerShell tool, on a machine that has only the .NET SDK:

    dotnet tool restore && dotnet pwsh ./build.ps1 Build   # module and its en-US help into output/SupportAccessLogs
    dotnet tool restore && dotnet pwsh ./build.ps1 Test    # Build, the emulator, xunit + Pester, ends "N passed, N failed"
                                                           # (as root, installs Debian's chromium when missing)
    dotnet tool restore && dotnet pwsh ./build.ps1 Demo    # the module against the demo tenant (emulator)
    dotnet tool restore && dotnet pwsh ./build.ps1 Bench   # benchmark harness, figures in tests/perf/README.md
    dotnet tool restore && dotnet pwsh ./build.ps1 Package # Build, then output/package/SupportAccessLogs.<version>.nupkg
    dotnet tool restore && dotnet pwsh ./build.ps1 Clean

Build writes the cmdlets' MAML help from docs/help/*.md with build/New-MamlHelp.ps1 (no platyPS).
Package packs output/SupportAccessLogs with PSResourceGet (build/New-ModulePackage.ps1), offline;
install it from a local repository: Register-PSResourceRepository -Name Local -Uri output/package,
then Install-PSResource SupportAccessLogs -Repository Local.

.PARAMETER Task
The task to run.

.PARAMETER Configuration
The dotnet build configuration.
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Demo', 'Clean', 'Bench', 'Package')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Bench only: run the BenchmarkDotNet micro-benchmarks (parse, classify) instead.
    [switch] $Micro
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$RepoRoot = $PSScriptRoot
. (Join-Path $PSScriptRoot 'build/PwshCommand.ps1')
$OutputRoot = Join-Path $RepoRoot 'output'
$ModuleName = 'SupportAccessLogs'
$ModuleOutput = Join-Path $OutputRoot $ModuleName
$EmulatorOutput = Join-Path $OutputRoot 'GraphEmulator'
$TestResults = Join-Path $OutputRoot 'test-results'

function Invoke-Dotnet {
    # Every dotnet call goes through here so that a failed step stops the build.
    # Plain $args: a param block would make switches such as -o bind to common parameters.
    $Arguments = [string[]]$args
    Write-Host "dotnet $($Arguments -join ' ')" -ForegroundColor DarkGray
    # Out-Host: the tool's output is for the reader, never part of a function's return value.
    & dotnet @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Npm {
    # npm installs the KQL analyzer that the xunit tests run (tests/kql-analyzer); as with dotnet,
    # a failed step throws. Plain $args, as in Invoke-Dotnet.
    $Arguments = [string[]]$args
    if (-not (Get-Command npm -ErrorAction Ignore)) {
        throw "npm is not on PATH: the xunit tests need Node.js 18 or later with npm to run the KQL analyzer (tests/kql-analyzer)."
    }
    Write-Host "npm $($Arguments -join ' ')" -ForegroundColor DarkGray
    & npm @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "npm $($Arguments[0]) failed with exit code $LASTEXITCODE."
    }
}

function Install-Chromium {
    # The report's browser tests drive Debian's Chromium through Playwright: Playwright's own
    # browser download cannot reach its host from here, and a clean CI machine has no browser.
    # Installs only what is missing; throws when it is missing and cannot be installed.
    $chromium = '/usr/bin/chromium'
    if (Test-Path -LiteralPath $chromium) { return }
    if (-not (Get-Command apt-get -ErrorAction Ignore)) {
        throw "$chromium is missing and apt-get is not on PATH: install Chromium so that the report's browser tests find it at $chromium."
    }
    $isRoot = (& id -u) -eq '0'
    if (-not $isRoot) {
        throw "$chromium is missing and installing it with apt-get needs root: run 'apt-get install -y chromium' as root, or build.ps1 Test as root."
    }
    Write-Host 'apt-get update' -ForegroundColor DarkGray
    & apt-get update | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "apt-get update failed with exit code $LASTEXITCODE." }
    Write-Host 'apt-get install -y chromium' -ForegroundColor DarkGray
    $env:DEBIAN_FRONTEND = 'noninteractive'
    try {
        & apt-get install -y chromium | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "apt-get install chromium failed with exit code $LASTEXITCODE." }
    }
    finally {
        Remove-Item Env:DEBIAN_FRONTEND -ErrorAction Ignore
    }
    if (-not (Test-Path -LiteralPath $chromium)) {
        throw "apt-get installed chromium but $chromium is still missing."
    }
}

function Get-ModuleVersion {
    (Import-PowerShellDataFile -LiteralPath (Join-Path $RepoRoot "$ModuleName.psd1")).ModuleVersion
}

function Invoke-Build {
    $version = Get-ModuleVersion
    if (Test-Path -LiteralPath $ModuleOutput) {
        Remove-Item -LiteralPath $ModuleOutput -Recurse -Force
    }
    $binOutput = Join-Path $ModuleOutput 'bin/net8.0'

    # publish copies every runtime dependency the project resolves: no DLL list to maintain here.
    # net8.0 (PowerShell 7, loaded through the Loader's load context) and netstandard2.0
    # (Windows PowerShell 5.1); the psm1 picks one by edition.
    Invoke-Dotnet publish (Join-Path $RepoRoot "src/$ModuleName") -c $Configuration -f net8.0 -o $binOutput "-p:Version=$version" --nologo
    Invoke-Dotnet publish (Join-Path $RepoRoot "src/$ModuleName.Loader") -c $Configuration -o $binOutput "-p:Version=$version" --nologo
    Invoke-Dotnet publish (Join-Path $RepoRoot "src/$ModuleName") -c $Configuration -f netstandard2.0 -o (Join-Path $ModuleOutput 'bin/netstandard2.0') "-p:Version=$version" --nologo

    Copy-Item -LiteralPath (Join-Path $RepoRoot "$ModuleName.psd1") -Destination $ModuleOutput
    Copy-Item -LiteralPath (Join-Path $RepoRoot 'LICENSE') -Destination $ModuleOutput
    Copy-Item -Path (Join-Path $RepoRoot 'module/*') -Destination $ModuleOutput -Recurse
    Invoke-HelpGenerator
    Write-Host "Built $ModuleName $version into $ModuleOutput"
}

function Invoke-EmulatorBuild {
    # The Graph emulator is test equipment: Test, Demo and Bench run it, Build and Package
    # (what ships) never build it.
    Invoke-Dotnet publish (Join-Path $RepoRoot 'tests/GraphEmulator') -c $Configuration -o $EmulatorOutput --nologo
}

function Invoke-HelpGenerator {
    # In a fresh pwsh: the generator imports the built module to read its cmdlets' metadata, and
    # this process must not hold it (Demo and Bench import it themselves, Windows locks loaded DLLs).
    $pwsh = Get-PwshCommand
    $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File',
        (Join-Path $RepoRoot 'build/New-MamlHelp.ps1'), '-ModulePath', $ModuleOutput, '-SourcePath', (Join-Path $RepoRoot 'docs/help'))
    & $pwsh[0] @arguments | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "build/New-MamlHelp.ps1 failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Package {
    Invoke-Build
    $package = & (Join-Path $RepoRoot 'build/New-ModulePackage.ps1') -ModulePath $ModuleOutput -DestinationPath (Join-Path $OutputRoot 'package')
    Write-Host "Packed $ModuleName into $($package.FullName)"
}

function Get-PesterModulePath {
    # The Pester version is pinned once, in the project that downloads it from NuGet.
    $project = Join-Path $RepoRoot 'tests/pester/PesterPackage.csproj'
    Invoke-Dotnet restore $project --nologo
    $version = ([xml](Get-Content -LiteralPath $project -Raw)).Project.ItemGroup.PackageDownload.Version.Trim('[', ']')
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $manifest = Join-Path $packages "pester/$version/tools/Pester.psd1"
    if (-not (Test-Path -LiteralPath $manifest)) {
        throw "Pester $version was restored but its manifest is not at '$manifest'."
    }
    $manifest
}

function Invoke-XunitTests {
    $trx = Join-Path $TestResults 'xunit.trx'
    Remove-Item -LiteralPath $trx -ErrorAction Ignore
    & dotnet test (Join-Path $RepoRoot 'tests/SupportAccessLogs.Tests') -c $Configuration --nologo `
        --logger 'trx;LogFileName=xunit.trx' --logger 'console;verbosity=normal' --results-directory $TestResults | Out-Host
    $exitCode = $LASTEXITCODE
    if (-not (Test-Path -LiteralPath $trx)) {
        Write-Host "xunit produced no results (dotnet test exit code $exitCode): counted as one failure." -ForegroundColor Red
        return [pscustomobject]@{ Passed = 0; Failed = 1 }
    }
    $counters = ([xml](Get-Content -LiteralPath $trx -Raw)).TestRun.ResultSummary.Counters
    $failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    if ($exitCode -ne 0 -and $failed -eq 0) { $failed = 1 }
    $trxXml = [xml](Get-Content -LiteralPath $trx -Raw)
    $failedNames = @($trxXml.TestRun.Results.UnitTestResult | Where-Object { $_.outcome -notin 'Passed', 'NotExecuted' } | ForEach-Object { $_.testName })
    [pscustomobject]@{ Passed = [int]$counters.passed; Failed = $failed; FailedNames = $failedNames }
}

function Invoke-PesterTests {
    $pesterManifest = Get-PesterModulePath
    $summaryPath = Join-Path $TestResults 'pester-summary.json'
    Remove-Item -LiteralPath $summaryPath -ErrorAction Ignore

    $pwsh = Get-PwshCommand
    $runner = Join-Path $RepoRoot 'tests/pester/Invoke-PesterRun.ps1'
    $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $runner,
        '-PesterManifest', $pesterManifest, '-ResultDirectory', $TestResults)
    & $pwsh[0] @arguments | Out-Host
    if (-not (Test-Path -LiteralPath $summaryPath)) {
        Write-Host "Pester produced no results (exit code $LASTEXITCODE): counted as one failure." -ForegroundColor Red
        return [pscustomobject]@{ Passed = 0; Failed = 1 }
    }
    $summary = Get-Content -LiteralPath $summaryPath -Raw | ConvertFrom-Json
    [pscustomobject]@{ Passed = [int]$summary.Passed; Failed = [int]$summary.Failed; FailedNames = @($summary.FailedNames) }
}

function Invoke-Test {
    $buildFailed = $false
    try {
        Invoke-Build
        # The Pester tests start the emulator from output/GraphEmulator; xunit builds its own reference.
        Invoke-EmulatorBuild
    }
    catch {
        Write-Host "Build failed: $_" -ForegroundColor Red
        $buildFailed = $true
    }
    New-Item -ItemType Directory -Path $TestResults -Force | Out-Null

    # The xunit tests check KQL with Kusto.Language, installed from the lock file of tests/kql-analyzer.
    # Without it those tests fail and say so; the install's failure is counted once more, with its cause.
    $npmFailed = $false
    try {
        Invoke-Npm ci --prefix (Join-Path $RepoRoot 'tests/kql-analyzer') --no-audit --no-fund
    }
    catch {
        Write-Host "The KQL analyzer could not be installed: $_" -ForegroundColor Red
        $npmFailed = $true
    }

    # The report's browser tests need Chromium at /usr/bin/chromium; without it they fail and
    # say so, and the install's failure is counted once more, with its cause.
    $chromiumFailed = $false
    try {
        Install-Chromium
    }
    catch {
        Write-Host "Chromium could not be installed: $_" -ForegroundColor Red
        $chromiumFailed = $true
    }

    $results = @(Invoke-XunitTests)
    if ($buildFailed) {
        # Without a built module every Pester test would fail for the same reason; count it once.
        $results += [pscustomobject]@{ Passed = 0; Failed = 1; FailedNames = @('Pester: not run, the build failed') }
    }
    else {
        $results += Invoke-PesterTests
    }

    # Bench is not run here, but its harness must keep compiling against the module's internals:
    # it once stopped compiling and nobody saw until the next Bench. One check, counted as one test.
    $benchCompiles = $true
    try {
        Invoke-Dotnet build (Join-Path $RepoRoot 'tests/perf/SupportAccessLogs.Perf') -c $Configuration --nologo
    }
    catch {
        Write-Host "The benchmark harness does not compile: $_" -ForegroundColor Red
        $benchCompiles = $false
    }
    $results += [pscustomobject]@{ Passed = [int]$benchCompiles; Failed = [int](-not $benchCompiles); FailedNames = @(if (-not $benchCompiles) { 'the benchmark harness compiles' }) }
    if ($npmFailed) {
        $results += [pscustomobject]@{ Passed = 0; Failed = 1; FailedNames = @('npm ci in tests/kql-analyzer') }
    }
    if ($chromiumFailed) {
        $results += [pscustomobject]@{ Passed = 0; Failed = 1; FailedNames = @('Chromium installed at /usr/bin/chromium (apt-get install chromium)') }
    }

    $passed = ($results | Measure-Object -Property Passed -Sum).Sum
    $failed = ($results | Measure-Object -Property Failed -Sum).Sum
    Write-Host ''
    # A CI log may keep only its tail: name what failed here, not just hundreds of lines above.
    $failedNames = @($results | ForEach-Object { $_.FailedNames } | Where-Object { $_ })
    if ($failedNames.Count -gt 0) {
        Write-Host 'Failed:' -ForegroundColor Red
        $failedNames | ForEach-Object { Write-Host "  $_" -ForegroundColor Red }
    }
    Write-Host "xunit: $($results[0].Passed) passed, $($results[0].Failed) failed; Pester: $($results[1].Passed) passed, $($results[1].Failed) failed; benchmark harness: $(if ($benchCompiles) { 'compiles' } else { 'does not compile' })"
    # The last line is the contract with CI: "N passed, N failed".
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    Invoke-EmulatorBuild
    Import-Module (Join-Path $RepoRoot 'tests/pester/EmulatorProcess.psm1') -Force
    $emulator = Start-GraphEmulator
    try {
        Write-Host "Demo tenant (Graph emulator) at $($emulator.BaseUri)"
        Import-Module (Join-Path $ModuleOutput "$ModuleName.psd1") -Force
        $token = Get-EmulatorToken -Emulator $emulator | ConvertTo-SecureString -AsPlainText -Force
        $logAnalyticsToken = Get-EmulatorToken -Emulator $emulator -Claims @{ api = 'loganalytics' } | ConvertTo-SecureString -AsPlainText -Force
        Connect-SupportAccess -AccessToken $token -LogAnalyticsAccessToken $logAnalyticsToken -GraphEndpoint $emulator.BaseUri -LogAnalyticsEndpoint $emulator.BaseUri -PassThru | Format-List

        $activity = @(Get-SupportAccessActivity -WarningAction Continue)
        # A wide rendering: the demo often runs where the console reports 80 columns (CI logs, pipes).
        $activity | Sort-Object Category, ActivityDateTime | Format-Table -GroupBy Category |
            Out-String -Width 160 | Out-Host

        $demoOutput = Join-Path $OutputRoot 'demo'
        New-Item -ItemType Directory -Path $demoOutput -Force | Out-Null
        $csv = Join-Path $demoOutput 'support-access.csv'
        $activity | Export-Csv -LiteralPath $csv -NoTypeInformation -Encoding utf8
        $activity | Group-Object Category -NoElement | Sort-Object Name | Format-Table Name, Count | Out-Host
        Write-Host "$($activity.Count) activities written to $csv"

        # The same activities as one object per support request, and which still have access.
        $requests = @($activity | Get-SupportAccessRequest -WarningAction SilentlyContinue)
        Write-Host "`nThe same activities as $($requests.Count) support requests"
        $requests | Format-Table | Out-String -Width 160 | Out-Host
        $requestsCsv = Join-Path $demoOutput 'support-requests.csv'
        $requests | Export-Csv -LiteralPath $requestsCsv -NoTypeInformation -Encoding utf8
        $requests | Group-Object State -NoElement | Sort-Object Name | Format-Table Name, Count | Out-Host
        $active = @($requests | Where-Object IsAccessActive)
        Write-Host "$($active.Count) support requests still have access to the tenant (Get-SupportAccessRequest -Active):"
        $active | Format-Table SupportRequestId, TenantRole, DecidedBy, AccessGrantedDateTime,
            @{ Name = 'AccessDuration'; Expression = { [SupportAccessLogs.DurationText]::Format($_.AccessDuration) } }, GroupedBy |
            Out-String -Width 160 | Out-Host
        Write-Host "$($requests.Count) support requests written to $requestsCsv"

        # The same requests as a page people look at: who could reach the tenant, and when.
        $report = $activity | Export-SupportAccessReport -Path (Join-Path $demoOutput 'support-access-report.html')
        Write-Host "`nThe report for people who don't run PowerShell (open it in a browser): $($report.FullName)"

        # History past Graph's 30 days: the last 90 from the demo Log Analytics workspace.
        $workspace = 'b4c6d8e0-2f1a-4b3c-9d5e-7f8a9b0c1d2e'
        Write-Host "`nThe last 90 days from the demo Log Analytics workspace $workspace"
        $history = @(Get-SupportAccessActivity -WorkspaceId $workspace -StartTime ([datetime]::UtcNow.AddDays(-90)) -WarningAction SilentlyContinue)
        $history | Group-Object { $_.ActivityDateTime.ToString('yyyy-MM') }, Category -NoElement | Sort-Object Name |
            Format-Table @{ Name = 'Month, Category'; Expression = 'Name' }, Count | Out-Host
        $historyCsv = Join-Path $demoOutput 'support-access-90-days.csv'
        $history | Export-Csv -LiteralPath $historyCsv -NoTypeInformation -Encoding utf8
        Write-Host "$($history.Count) activities of the last 90 days written to $historyCsv"

        # A filter runs in the workspace: only the cross-tenant rows travel (the same ones filtering all 90 days gives).
        $crossTenant = @(Get-SupportAccessActivity -WorkspaceId $workspace -StartTime ([datetime]::UtcNow.AddDays(-90)) -Category CrossTenant -WarningAction SilentlyContinue)
        Write-Host "$($crossTenant.Count) cross-tenant activities of the same 90 days, filtered in the workspace (-Category CrossTenant; -Verbose shows the KQL sent)"

        # The same rules inside the workspace: the activity function, and files that deploy it.
        Write-Host "`nThe rules as KQL for Log Analytics, Sentinel and Data Explorer (Get-SupportAccessKql):"
        Get-SupportAccessKql -Kind Activity | Out-Host
        $parser = Get-SupportAccessKql -Kind Activity -Format SentinelParser -Path (Join-Path $demoOutput 'SupportAccessActivity.yaml')
        $template = Get-SupportAccessKql -Kind Activity -Format ArmTemplate -Path (Join-Path $demoOutput 'SupportAccessActivity.json')
        Write-Host "Sentinel parser written to $($parser.FullName)"
        Write-Host "ARM template (a workspace function) written to $($template.FullName)"
        $files = @(
            Get-SupportAccessKql -Kind Request -Format SentinelParser -Path (Join-Path $demoOutput 'SupportAccessRequest.yaml')
            Get-SupportAccessKql -Kind Request -Format ArmTemplate -Path (Join-Path $demoOutput 'SupportAccessRequest.json')
            Get-SupportAccessKql -Kind Activity -Format AnalyticsRule -Path (Join-Path $demoOutput 'rules/SupportAccessGranted.yaml')
            Get-SupportAccessKql -Kind Request -Format AnalyticsRule -ActiveLongerThan 8:00:00 -Path (Join-Path $demoOutput 'rules/SupportAccessActive.yaml')
        )
        Write-Host "The request function and the analytics rules (granted; active longer than 8 hours) written to:"
        $files | ForEach-Object { Write-Host "  $($_.FullName)" }
        Disconnect-SupportAccess
    }
    finally {
        Stop-GraphEmulator -Emulator $emulator
    }
}

function Invoke-Bench {
    # What is measured, the goals and the last figures: tests/perf/README.md.
    Invoke-Build
    Invoke-EmulatorBuild
    $perfProject = Join-Path $RepoRoot 'tests/perf/SupportAccessLogs.Perf'
    $perfOutput = Join-Path $OutputRoot 'perf'
    Invoke-Dotnet build $perfProject -c Release -o $perfOutput --nologo
    & (Join-Path $RepoRoot 'tests/perf/Invoke-Bench.ps1') -Micro:$Micro `
        -ModuleManifest (Join-Path $ModuleOutput "$ModuleName.psd1") `
        -PerfAssembly (Join-Path $perfOutput 'SupportAccessLogs.Perf.dll')
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'Package' { Invoke-Package }
    'Clean' {
        Remove-Item -LiteralPath $OutputRoot -Recurse -Force -ErrorAction Ignore
        Invoke-Dotnet clean (Join-Path $RepoRoot 'src/SupportAccessLogs') --nologo
    }
}
