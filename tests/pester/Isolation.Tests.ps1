#Requires -Version 7.4
# Proof of isolation (issue 7): another binary module that holds OLDER Azure.Core, MSAL, Kiota and
# Graph.Core (tests/fixtures/ConflictingModule, built from NuGet by this file) shares a session
# with SupportAccessLogs, in either order, and both keep working with their own versions. Every
# scenario runs in a fresh pwsh, as a user's session would, and both modules really talk to the
# emulator: the fixture signs in with its MSAL 4.x against the emulator's authority and reads the
# audit log through Graph.Core 3 / Kiota 1; the module signs in with a client secret as well.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force

    # Full, normalized paths: they are compared with Assembly.Location below.
    $script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
    $script:ModuleManifest = [System.IO.Path]::GetFullPath((Join-Path $RepoRoot 'output/SupportAccessLogs/SupportAccessLogs.psd1'))
    $script:ModuleBin = [System.IO.Path]::GetFullPath((Join-Path $RepoRoot 'output/SupportAccessLogs/bin/net8.0'))
    $script:FixtureSource = [System.IO.Path]::GetFullPath((Join-Path $RepoRoot 'tests/fixtures/ConflictingModule'))
    if (-not (Test-Path -LiteralPath $ModuleManifest)) {
        throw "The module is not built at '$ModuleManifest'. Run: dotnet pwsh ./build.ps1 Build"
    }

    # The dependencies that collide with Az.Accounts / Microsoft.Graph.Authentication in the field.
    $script:Contested = 'Azure.Core', 'Microsoft.Identity.Client', 'Microsoft.Kiota.Abstractions', 'Microsoft.Graph.Core'

    <#
    Publishes the fixture module once per content: output/fixtures/ConflictingModule-<hash> holds
    it, keyed by a hash of the fixture's source files, so a warm run only imports it. Returns the
    manifest path.
    #>
    function script:Get-ConflictingModuleManifest {
        $files = Get-ChildItem -LiteralPath $FixtureSource -File |
            Where-Object Extension -In '.cs', '.csproj', '.props', '.psd1' | Sort-Object Name
        $hasher = [System.Security.Cryptography.IncrementalHash]::CreateHash([System.Security.Cryptography.HashAlgorithmName]::SHA256)
        foreach ($file in $files) {
            $hasher.AppendData([System.Text.Encoding]::UTF8.GetBytes($file.Name + [char]0))
            $hasher.AppendData([System.IO.File]::ReadAllBytes($file.FullName))
        }
        $hash = [System.Convert]::ToHexString($hasher.GetHashAndReset()).Substring(0, 16).ToLowerInvariant()

        $root = [System.IO.Path]::GetFullPath((Join-Path $RepoRoot 'output/fixtures'))
        $target = Join-Path $root "ConflictingModule-$hash"
        $manifest = Join-Path $target 'ConflictingModule.psd1'
        if (Test-Path -LiteralPath $manifest) {
            return $manifest
        }

        # Publish beside the cache entry and move it in whole, so an interrupted build never
        # leaves a half-filled entry that a later run would take as built.
        $staging = "$target.partial-$PID"
        $artifacts = "$target.build-$PID"
        try {
            $log = & (Get-DotnetHost) publish $FixtureSource -c Release -o $staging --artifacts-path $artifacts --nologo 2>&1 | Out-String
            if ($LASTEXITCODE -ne 0) {
                throw "dotnet publish of the ConflictingModule fixture failed (exit $LASTEXITCODE):`n$log"
            }
            try {
                # Directory.Move, not Move-Item: it fails when the target exists instead of nesting.
                [System.IO.Directory]::Move($staging, $target)
            }
            catch {
                # Another run published the same content first; theirs is as good as ours.
                if (-not (Test-Path -LiteralPath $manifest)) { throw }
            }
        }
        finally {
            Remove-Item -LiteralPath $staging, $artifacts -Recurse -Force -ErrorAction Ignore
        }
        # Entries for older fixture content are never used again.
        Get-ChildItem -LiteralPath $root -Directory -Filter 'ConflictingModule-*' |
            Where-Object { $_.FullName -ne $target -and $_.Name -notmatch '\.(partial|build)-\d+$' } |
            Remove-Item -Recurse -Force -ErrorAction Ignore
        $manifest
    }

    $fixtureWatch = [System.Diagnostics.Stopwatch]::StartNew()
    $script:FixtureManifest = Get-ConflictingModuleManifest
    $script:FixtureDirectory = Split-Path -Parent $FixtureManifest
    Write-Information "ConflictingModule fixture ready in $([int]$fixtureWatch.Elapsed.TotalSeconds) s: $FixtureDirectory" -InformationAction Continue

    # The fixture's pins (its own Directory.Packages.props) are the versions it must report.
    $pins = ([xml](Get-Content -LiteralPath (Join-Path $FixtureSource 'Directory.Packages.props') -Raw)).Project.ItemGroup.PackageVersion
    $script:TheirVersion = @{}
    $script:OurVersion = @{}
    foreach ($name in $Contested) {
        $pin = @($pins | Where-Object Include -EQ $name)[0].Version
        $TheirVersion[$name] = [version]"$pin.0"
        $OurVersion[$name] = [System.Reflection.AssemblyName]::GetAssemblyName((Join-Path $ModuleBin "$name.dll")).Version
    }

    # The emulator's registered app (tests/GraphEmulator/DemoTenant.cs) and a secret for this run.
    $script:TenantId = '6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f'
    $script:AppId = '8e3f1b2a-4c5d-4e6f-9a7b-1c2d3e4f5a6b'
    $script:ClientSecret = "sal-secret-$([guid]::NewGuid().ToString('N'))"

    $script:Work = Join-Path $TestDrive 'isolation'
    New-Item -ItemType Directory -Path $Work | Out-Null
    $caPath = Join-Path $Work 'emulator-ca.pem'
    $script:Emulator = Start-GraphEmulator -PageSize 10 -Authority -AuthorityCaPath $caPath -ClientSecret $ClientSecret
    $script:Truth = Get-EmulatorTruth -Emulator $Emulator

    # The machine's roots plus the emulator's test CA, for the child processes only.
    $script:TrustBundle = Join-Path $Work 'trust.pem'
    $systemBundle = '/etc/ssl/certs/ca-certificates.crt'
    $roots = if (Test-Path -LiteralPath $systemBundle) { Get-Content -LiteralPath $systemBundle -Raw } else { '' }
    Set-Content -LiteralPath $TrustBundle -Value ($roots + "`n" + (Get-Content -LiteralPath $caPath -Raw)) -NoNewline

    # Defined in every child session ahead of the scenario; each step records what it saw.
    $script:ChildPrelude = @'
$ErrorActionPreference = 'Stop'
$steps = [ordered]@{}
$contested = 'Azure.Core', 'Microsoft.Identity.Client', 'Microsoft.Kiota.Abstractions', 'Microsoft.Graph.Core'

# The fixture's own sign-in (MSAL, client secret) and audit read (Graph.Core + Kiota + Azure.Core).
function Invoke-Theirs([string] $Step) {
    $r = Get-ConflictingDependency -GraphEndpoint $env:SAL_GRAPH -AuthorityHost $env:SAL_AUTHORITY `
        -TenantId $env:SAL_TENANT -ClientId $env:SAL_APP -ClientSecret $env:SAL_SECRET
    $steps[$Step] = [ordered]@{
        Assemblies  = @($r.Assemblies | Select-Object Name, Version, LoadContext, Location)
        TokenSource = $r.TokenSource
        RecordCount = @($r.RecordIds).Count
        KiotaUri    = $r.KiotaUri
    }
}

function Invoke-Ours([string] $Step, [switch] $AccessToken) {
    if ($AccessToken) {
        Connect-SupportAccess -AccessToken (ConvertTo-SecureString $env:SAL_TOKEN -AsPlainText -Force) -GraphEndpoint $env:SAL_GRAPH
    }
    else {
        $credential = [pscredential]::new($env:SAL_APP, (ConvertTo-SecureString $env:SAL_SECRET -AsPlainText -Force))
        Connect-SupportAccess -ClientSecretCredential $credential -TenantId $env:SAL_TENANT `
            -GraphEndpoint $env:SAL_GRAPH -AuthorityHost $env:SAL_AUTHORITY
    }
    $activities = @(Get-SupportAccessActivity -RequestsPer10Seconds 0 -WarningAction SilentlyContinue)
    $steps[$Step] = [ordered]@{
        Count  = $activities.Count
        Method = [string](Get-SupportAccessConnection -Current).AuthenticationMethod
    }
}

# Every copy of the contested assemblies in the process, with the load context that holds it.
function Save-Loaded([string] $Step) {
    $steps[$Step] = @([System.AppDomain]::CurrentDomain.GetAssemblies() |
            Where-Object { $_.GetName().Name -in $contested } |
            ForEach-Object {
                [ordered]@{
                    Name        = $_.GetName().Name
                    Version     = $_.GetName().Version.ToString()
                    LoadContext = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name
                    Location    = $_.Location
                }
            })
}

try {
    __SCENARIO__
}
catch {
    $chain = for ($e = $_.Exception; $e; $e = $e.InnerException) { "$($e.GetType().FullName): $($e.Message)" }
    $steps['Error'] = [ordered]@{
        Message  = $_.Exception.Message
        Chain    = @($chain)
        Position = $_.InvocationInfo.PositionMessage
    }
}
finally {
    Save-Loaded 'LoadedAtEnd'
    $steps | ConvertTo-Json -Depth 6 | Set-Content -LiteralPath $env:SAL_RESULT -Encoding utf8
}
'@

    <#
    Runs a scenario in a fresh pwsh with the prelude above. Returns the steps it recorded (one
    property per step, plus Error when it threw) and everything it wrote, for -Because.
    #>
    function script:Invoke-Scenario([Parameter(Mandatory)] [string] $Scenario) {
        $resultPath = Join-Path $Work "result-$([guid]::NewGuid().ToString('N')).json"
        $script = $ChildPrelude.Replace('__SCENARIO__', $Scenario)
        $run = Invoke-ChildPwsh -Script $script -Environment @{
            SSL_CERT_FILE  = $TrustBundle
            SAL_GRAPH      = [string]$Emulator.BaseUri
            SAL_AUTHORITY  = [string]$Emulator.AuthorityUri
            SAL_TENANT     = $TenantId
            SAL_APP        = $AppId
            SAL_SECRET     = $ClientSecret
            SAL_TOKEN      = (Get-EmulatorToken -Emulator $Emulator)
            SAL_FIXTURE    = $FixtureManifest
            SAL_MODULE     = $ModuleManifest
            SAL_MODULE_DLL = (Join-Path $ModuleBin 'SupportAccessLogs.dll')
            SAL_RESULT     = $resultPath
        }
        $steps = if (Test-Path -LiteralPath $resultPath) { Get-Content -LiteralPath $resultPath -Raw | ConvertFrom-Json } else { $null }
        $text = "exit $($run.ExitCode)`nstdout:`n$($run.Output)`nstderr:`n$($run.Error)`nsteps:`n$($steps | ConvertTo-Json -Depth 6)"
        [pscustomobject]@{ Steps = $steps; Text = $text }
    }

    function script:Clear-TokenRequests {
        Invoke-RestMethod -Method Delete -Uri ([uri]::new($Emulator.BaseUri, '_emulator/token-requests')) | Out-Null
    }

    # The fixture's own report: each contested assembly at its pinned old version, from its own
    # folder, in the default load context; and its sign-in and audit read worked.
    function script:Assert-TheirsWorked($Step, [string] $Because) {
        $Step | Should -Not -BeNullOrEmpty -Because $Because
        foreach ($name in $Contested) {
            $assembly = @($Step.Assemblies | Where-Object Name -EQ $name)
            $assembly.Count | Should -Be 1 -Because $Because
            [version]$assembly[0].Version | Should -Be $TheirVersion[$name] -Because "the fixture uses its own $name. $Because"
            $assembly[0].LoadContext | Should -Be 'Default' -Because $Because
            [System.IO.Path]::GetDirectoryName($assembly[0].Location) | Should -Be $FixtureDirectory -Because $Because
        }
        $Step.KiotaUri | Should -Be 'https://graph.microsoft.com/v1.0/auditLogs/directoryAudits?%24top=5' -Because $Because
        $Step.TokenSource | Should -Be "MSAL $($TheirVersion['Microsoft.Identity.Client'])" -Because $Because
        $Step.RecordCount | Should -Be $Truth.total -Because $Because
    }

    function script:Assert-OursWorked($Step, [string] $Method, [string] $Because) {
        $Step | Should -Not -BeNullOrEmpty -Because $Because
        $Step.Count | Should -Be $Truth.total -Because $Because
        $Step.Method | Should -Be $Method -Because $Because
    }

    # Each contested assembly is loaded exactly twice: the fixture's old one in the default load
    # context, from its folder, and the module's own in the SupportAccessLogs load context.
    function script:Assert-SideBySide($Loaded, [string] $Because, [string[]] $Names = $Contested) {
        foreach ($name in $Names) {
            $copies = @($Loaded | Where-Object Name -EQ $name)
            $summary = ($copies | ForEach-Object { "$($_.Version)@$($_.LoadContext)" }) -join ', '
            $copies.Count | Should -Be 2 -Because "$name should be loaded twice, got [$summary]. $Because"
            $theirs = @($copies | Where-Object LoadContext -EQ 'Default')
            $ours = @($copies | Where-Object LoadContext -EQ 'SupportAccessLogs')
            $theirs.Count | Should -Be 1 -Because "$name [$summary]. $Because"
            $ours.Count | Should -Be 1 -Because "$name [$summary]. $Because"
            [version]$theirs[0].Version | Should -Be $TheirVersion[$name] -Because $Because
            [version]$ours[0].Version | Should -Be $OurVersion[$name] -Because $Because
            [System.IO.Path]::GetDirectoryName($theirs[0].Location) | Should -Be $FixtureDirectory -Because $Because
            [System.IO.Path]::GetDirectoryName($ours[0].Location) | Should -Be $ModuleBin -Because $Because
        }
    }
}

AfterAll {
    if ($Emulator) { Stop-GraphEmulator -Emulator $Emulator }
}

Describe 'Isolation from another binary module that holds older dependencies' {
    It 'the fixture holds an older version of every contested assembly than the module ships' {
        foreach ($name in $Contested) {
            $file = [System.Reflection.AssemblyName]::GetAssemblyName((Join-Path $FixtureDirectory "$name.dll")).Version
            $file | Should -Be $TheirVersion[$name] -Because "the published $name is the pinned one"
            $TheirVersion[$name] | Should -BeLessThan $OurVersion[$name] -Because "$name must conflict to prove anything"
        }
        # A major version apart where one exists: Kiota 1 against 2, Graph.Core 3 against 4.
        foreach ($name in 'Microsoft.Kiota.Abstractions', 'Microsoft.Graph.Core') {
            $TheirVersion[$name].Major | Should -BeLessThan $OurVersion[$name].Major
        }
    }

    It 'control: the same module loaded WITHOUT its load context breaks on the older assemblies' {
        # The conflict is real: imported as a plain binary module into the default load context
        # after the fixture, SupportAccessLogs.dll binds to the fixture's older assemblies and fails
        # the way users see it with Az.Accounts. The isolation tests below are not vacuous.
        $run = Invoke-Scenario @'
Import-Module $env:SAL_FIXTURE
Invoke-Theirs 'Theirs'
Import-Module $env:SAL_MODULE_DLL
Invoke-Ours 'Ours' -AccessToken
'@
        Assert-TheirsWorked $run.Steps.Theirs $run.Text
        $run.Steps.Ours | Should -BeNullOrEmpty -Because $run.Text
        $run.Steps.Error.Message | Should -Match "Could not load file or assembly '($($Contested -join '|')), Version=" -Because $run.Text
        $run.Steps.Error.Message | Should -Match 'manifest definition does not match' -Because $run.Text
    }

    It 'their module first: the module imports, signs in and reads everything; theirs still works after' {
        Clear-TokenRequests
        $run = Invoke-Scenario @'
Import-Module $env:SAL_FIXTURE
Invoke-Theirs 'TheirsBefore'
Save-Loaded 'LoadedBefore'
Import-Module $env:SAL_MODULE
Invoke-Ours 'Ours'
Invoke-Theirs 'TheirsAfter'
'@
        $run.Steps.Error | Should -BeNullOrEmpty -Because $run.Text
        # Only the fixture's copies exist before the module is imported: they were there first.
        foreach ($name in $Contested) {
            $before = @($run.Steps.LoadedBefore | Where-Object Name -EQ $name)
            $before.Count | Should -Be 1 -Because $run.Text
            [version]$before[0].Version | Should -Be $TheirVersion[$name]
        }
        Assert-TheirsWorked $run.Steps.TheirsBefore $run.Text
        Assert-OursWorked $run.Steps.Ours 'ClientSecret' $run.Text
        Assert-TheirsWorked $run.Steps.TheirsAfter $run.Text
        Assert-SideBySide $run.Steps.LoadedAtEnd $run.Text

        # Both MSALs really signed in: the fixture twice, the module once.
        $grants = @(Get-EmulatorTokenRequest -Emulator $Emulator | Where-Object { $_.grantType -eq 'client_credentials' -and $_.status -eq 200 })
        $grants.Count | Should -Be 3
    }

    It 'our module first: the fixture imports afterwards and works with its own versions; ours still works' {
        $run = Invoke-Scenario @'
Import-Module $env:SAL_MODULE
Invoke-Ours 'OursBefore'
Save-Loaded 'LoadedBefore'
Import-Module $env:SAL_FIXTURE
Invoke-Theirs 'Theirs'
Invoke-Ours 'OursAfter'
'@
        $run.Steps.Error | Should -BeNullOrEmpty -Because $run.Text
        # Before the fixture, the only copies are the module's, and none is in the default context.
        foreach ($name in $Contested) {
            $before = @($run.Steps.LoadedBefore | Where-Object Name -EQ $name)
            $before.Count | Should -Be 1 -Because $run.Text
            $before[0].LoadContext | Should -Be 'SupportAccessLogs' -Because $run.Text
            [version]$before[0].Version | Should -Be $OurVersion[$name]
        }
        Assert-OursWorked $run.Steps.OursBefore 'ClientSecret' $run.Text
        Assert-TheirsWorked $run.Steps.Theirs $run.Text
        Assert-OursWorked $run.Steps.OursAfter 'ClientSecret' $run.Text
        Assert-SideBySide $run.Steps.LoadedAtEnd $run.Text
    }

    It 'Import-Module -Force re-imports and Remove-Module removes, beside the fixture' {
        $run = Invoke-Scenario @'
Import-Module $env:SAL_FIXTURE
Import-Module $env:SAL_MODULE
Invoke-Ours 'First' -AccessToken

Import-Module $env:SAL_MODULE -Force
$steps['CommandsAfterForce'] = @((Get-Module SupportAccessLogs).ExportedCmdlets.Keys | Sort-Object)
Invoke-Ours 'AfterForce' -AccessToken

Remove-Module SupportAccessLogs
$steps['ModuleAfterRemove'] = @(Get-Module SupportAccessLogs).Count
$steps['CommandAfterRemove'] = @(Get-Command Get-SupportAccessActivity -ErrorAction SilentlyContinue).Count
try { Get-SupportAccessActivity | Out-Null; $steps['CallAfterRemove'] = 'ran' }
catch [System.Management.Automation.CommandNotFoundException] { $steps['CallAfterRemove'] = 'CommandNotFound' }

Import-Module $env:SAL_MODULE
Invoke-Ours 'AfterReimport'
Invoke-Theirs 'Theirs'
$steps['LoadContexts'] = @([System.Runtime.Loader.AssemblyLoadContext]::All | ForEach-Object Name | Where-Object { $_ -eq 'SupportAccessLogs' }).Count
'@
        $run.Steps.Error | Should -BeNullOrEmpty -Because $run.Text
        Assert-OursWorked $run.Steps.First 'AccessToken' $run.Text

        $run.Steps.CommandsAfterForce | Should -Contain 'Get-SupportAccessActivity' -Because $run.Text
        $run.Steps.CommandsAfterForce | Should -Contain 'Connect-SupportAccess' -Because $run.Text
        Assert-OursWorked $run.Steps.AfterForce 'AccessToken' $run.Text

        $run.Steps.ModuleAfterRemove | Should -Be 0 -Because $run.Text
        $run.Steps.CommandAfterRemove | Should -Be 0 -Because $run.Text
        $run.Steps.CallAfterRemove | Should -Be 'CommandNotFound' -Because $run.Text

        Assert-OursWorked $run.Steps.AfterReimport 'ClientSecret' $run.Text
        Assert-TheirsWorked $run.Steps.Theirs $run.Text
        # Re-imports reuse the one load context: no second copy of anything.
        $run.Steps.LoadContexts | Should -Be 1 -Because $run.Text
        Assert-SideBySide $run.Steps.LoadedAtEnd $run.Text
    }
}
