#Requires -Version 7.4
# The Windows PowerShell 5.1 build (bin/netstandard2.0) can't run in 5.1 here, so it is loaded
# and exercised in a fresh pwsh instead: imported as the psm1 imports it on Desktop (straight
# into the session, no load context), then a sign-in, a full query and the role commands
# against the emulator. What that proves and what it leaves to a Windows machine: README,
# "Windows PowerShell 5.1".

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    $moduleRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../output/SupportAccessLogs'))
    $script:DesktopAssembly = Join-Path $moduleRoot 'bin/netstandard2.0/SupportAccessLogs.dll'
    $script:Emulator = Start-GraphEmulator -PageSize 10
    $script:Truth = Get-EmulatorTruth -Emulator $Emulator
}

AfterAll {
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'The netstandard2.0 build for Windows PowerShell 5.1' {
    It 'is declared in the manifest: both editions, from Windows PowerShell 5.1 up' {
        $manifest = Test-ModuleManifest -Path (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1')
        @($manifest.CompatiblePSEditions | Sort-Object) | Should -Be @('Core', 'Desktop')
        $manifest.PowerShellVersion | Should -Be ([version]'5.1')
    }

    It 'is built beside the PowerShell 7 build' {
        $DesktopAssembly | Should -Exist
        $bytes = [System.IO.File]::ReadAllBytes($DesktopAssembly)
        [System.Text.Encoding]::ASCII.GetString($bytes) | Should -Match '\.NETStandard,Version=v2\.0'
    }

    It 'loads without a load context, signs in, reads every record and checks roles' {
        $token = Get-EmulatorToken -Emulator $Emulator
        $run = Invoke-ChildPwsh -Script @"
`$ErrorActionPreference = 'Stop'
Import-Module '$DesktopAssembly'
`$assembly = [SupportAccessLogs.SupportAccessActivity].Assembly
`$context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$assembly).Name
`$framework = (`$assembly.GetCustomAttributes([System.Runtime.Versioning.TargetFrameworkAttribute], `$false)).FrameworkName
Connect-SupportAccess -AccessToken (ConvertTo-SecureString '$token' -AsPlainText -Force) -GraphEndpoint '$($Emulator.BaseUri)'
`$activities = @(Get-SupportAccessActivity -RequestsPer10Seconds 0 -WarningAction SilentlyContinue)
`$summary = Get-SupportAccessRole -Summary
[pscustomobject]@{
    Location   = `$assembly.Location
    Context    = `$context
    Framework  = `$framework
    Count      = `$activities.Count
    Unique     = @(`$activities.Id | Sort-Object -Unique).Count
    Categories = @(`$activities | Group-Object Category | ForEach-Object { "`$(`$_.Name)=`$(`$_.Count)" })
    CanRead    = `$summary.CanReadActivityLogs
} | ConvertTo-Json -Compress
"@
        $run.ExitCode | Should -Be 0 -Because $run.Error
        $result = $run.Output.Trim().Split("`n")[-1] | ConvertFrom-Json
        $result.Location | Should -Be $DesktopAssembly
        $result.Context | Should -Be 'Default'
        $result.Framework | Should -Be '.NETStandard,Version=v2.0'
        $result.Count | Should -Be $Truth.total
        $result.Unique | Should -Be $Truth.total
        foreach ($category in 'UserInitiated', 'Automated', 'CrossTenant') {
            $result.Categories | Should -Contain "$category=$($Truth.byCategory.$category)"
        }
        $result.CanRead | Should -BeTrue
    }
}
