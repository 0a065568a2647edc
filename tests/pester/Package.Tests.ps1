#Requires -Version 7.4
# The package round trip: the built module in output/SupportAccessLogs is packed the way
# build.ps1 Package packs it (build/New-ModulePackage.ps1), served from a temporary local
# PSResourceGet repository, installed by name into a temporary folder, imported by name in a
# fresh pwsh and run against the Graph emulator. Nothing is left behind: the repository is
# unregistered and every file is removed in AfterAll; the user's module folders and
# output/package are never touched.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    Import-Module Microsoft.PowerShell.PSResourceGet -ErrorAction Stop

    $script:ModuleRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../output/SupportAccessLogs'))
    $script:ManifestData = Import-PowerShellDataFile -LiteralPath (Join-Path $ModuleRoot 'SupportAccessLogs.psd1')
    $script:Version = $ManifestData.ModuleVersion
    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) "sal-package-test-$([guid]::NewGuid().ToString('N'))"
    $script:RepositoryPath = Join-Path $Work 'repository'
    $script:InstallPath = Join-Path $Work 'modules'
    New-Item -ItemType Directory -Path $RepositoryPath, $InstallPath -Force | Out-Null

    # Packing from the built folder, not build.ps1 Package: the test run has that folder's
    # assemblies loaded, and a rebuild would have to delete them (Windows refuses).
    $script:Package = & (Join-Path $PSScriptRoot '../../build/New-ModulePackage.ps1') -ModulePath $ModuleRoot -DestinationPath $RepositoryPath

    $script:RepositoryName = "SupportAccessLogsTest-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
    Register-PSResourceRepository -Name $RepositoryName -Uri $RepositoryPath -Trusted
    $script:Found = Find-PSResource -Name SupportAccessLogs -Repository $RepositoryName -ErrorAction Stop
    Save-PSResource -Name SupportAccessLogs -Repository $RepositoryName -Path $InstallPath -TrustRepository -ErrorAction Stop
    $script:Installed = Join-Path $InstallPath "SupportAccessLogs/$Version"

    $script:Emulator = Start-GraphEmulator
    $script:Truth = Get-EmulatorTruth -Emulator $Emulator

    function script:Get-PackageEntryName {
        Add-Type -AssemblyName System.IO.Compression
        $zip = [System.IO.Compression.ZipFile]::OpenRead($Package.FullName)
        try { $zip.Entries | ForEach-Object { [uri]::UnescapeDataString($_.FullName) } } finally { $zip.Dispose() }
    }

    function script:Read-PackageEntry([string] $Name) {
        Add-Type -AssemblyName System.IO.Compression
        $zip = [System.IO.Compression.ZipFile]::OpenRead($Package.FullName)
        try {
            $entry = $zip.GetEntry($Name)
            if (-not $entry) { return $null }
            $reader = [System.IO.StreamReader]::new($entry.Open())
            try { $reader.ReadToEnd() } finally { $reader.Dispose() }
        }
        finally { $zip.Dispose() }
    }
}

AfterAll {
    if ($Emulator) { Stop-GraphEmulator -Emulator $Emulator }
    if ($RepositoryName -and (Get-PSResourceRepository -Name $RepositoryName -ErrorAction Ignore)) {
        Unregister-PSResourceRepository -Name $RepositoryName
    }
    if ($Work) { Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction Ignore }
    if ($RepositoryName -and (Get-PSResourceRepository -Name $RepositoryName -ErrorAction Ignore)) {
        throw "The temporary repository $RepositoryName is still registered."
    }
    if ($Work -and (Test-Path -LiteralPath $Work)) { throw "The temporary folder $Work is still there." }
}

Describe 'The SupportAccessLogs package' {
    It 'is named SupportAccessLogs.<version>.nupkg' {
        $Package.Name | Should -Be "SupportAccessLogs.$Version.nupkg"
    }

    It 'carries the manifest''s metadata and command tags in its nuspec' {
        $nuspec = [xml](Read-PackageEntry 'SupportAccessLogs.nuspec')
        $metadata = $nuspec.package.metadata
        $metadata.id | Should -Be 'SupportAccessLogs'
        $metadata.version | Should -Be $Version
        $metadata.authors | Should -Be $ManifestData.Author
        $metadata.description | Should -Be $ManifestData.Description
        # The manifest names no project or licence address yet (no public home): nor does the package.
        @($metadata.ChildNodes.LocalName) | Should -Not -Contain 'projectUrl'
        @($metadata.ChildNodes.LocalName) | Should -Not -Contain 'licenseUrl'
        $metadata.releaseNotes | Should -Not -BeNullOrEmpty
        $tags = $metadata.tags -split '\s+'
        $tags | Should -Contain 'PSModule'
        $tags | Should -Contain 'PSIncludes_Cmdlet'
        foreach ($cmdlet in $ManifestData.CmdletsToExport) {
            $tags | Should -Contain "PSCmdlet_$cmdlet"
            $tags | Should -Contain "PSCommand_$cmdlet"
        }
        foreach ($tag in $ManifestData.PrivateData.PSData.Tags) { $tags | Should -Contain $tag }
    }

    It 'holds the module folder''s contents at its root, help included, and installs them as they are' {
        $entries = @(Get-PackageEntryName)
        foreach ($file in 'SupportAccessLogs.psd1', 'SupportAccessLogs.psm1', 'SupportAccessLogs.Format.ps1xml', 'LICENSE',
            'en-US/SupportAccessLogs.dll-Help.xml', 'en-US/about_SupportAccessLogs.help.txt',
            'bin/net8.0/SupportAccessLogs.dll', 'bin/net8.0/SupportAccessLogs.Loader.dll') {
            $entries | Should -Contain $file
            Join-Path $Installed $file | Should -Exist
        }
        $built = @(Get-ChildItem -LiteralPath $ModuleRoot -Recurse -File | ForEach-Object { [System.IO.Path]::GetRelativePath($ModuleRoot, $_.FullName).Replace('\', '/') })
        $built | Where-Object { $_ -notin $entries } | Should -BeNullOrEmpty -Because 'every built file is packed'
    }

    It 'is found by name in a local repository, with its version and no links' {
        $Found.Name | Should -Be 'SupportAccessLogs'
        [string]$Found.Version | Should -Be $Version
        [string]$Found.ProjectUri | Should -BeNullOrEmpty
        [string]$Found.LicenseUri | Should -BeNullOrEmpty
    }

    It 'installs by name, imports by name in a fresh pwsh and reads every record of the demo tenant' {
        $token = Get-EmulatorToken -Emulator $Emulator
        $script = @'
$ErrorActionPreference = 'Stop'
Import-Module -Name SupportAccessLogs
$module = Get-Module -Name SupportAccessLogs
Connect-SupportAccess -AccessToken (ConvertTo-SecureString $env:SAL_TEST_TOKEN -AsPlainText -Force) -GraphEndpoint $env:SAL_TEST_ENDPOINT
$activities = @(Get-SupportAccessActivity -WarningAction SilentlyContinue)
$help = Get-Help -Name Get-SupportAccessActivity
$about = @(Get-Help -Name about_SupportAccessLogs -ErrorAction SilentlyContinue)
Disconnect-SupportAccess
'RESULT:' + (ConvertTo-Json -Compress -InputObject ([ordered]@{
    ModuleBase = $module.ModuleBase
    Version    = [string]$module.Version
    Count      = $activities.Count
    Unique     = @($activities.Id | Sort-Object -Unique).Count
    Synopsis   = $help.Synopsis
    About      = ($about.Count -eq 1 -and $about[0].Category -eq 'HelpFile')
}))
'@
        $modulePath = $InstallPath + [System.IO.Path]::PathSeparator + $env:PSModulePath
        $child = Invoke-ChildPwsh -Script $script -TimeoutSeconds 120 -Environment @{
            PSModulePath      = $modulePath
            SAL_TEST_TOKEN    = $token
            SAL_TEST_ENDPOINT = $Emulator.BaseUri
        }
        $child.ExitCode | Should -Be 0 -Because "the child wrote: $($child.Output) $($child.Error)"
        $line = $child.Output -split "`r?`n" | Where-Object { $_ -like 'RESULT:*' } | Select-Object -Last 1
        $line | Should -Not -BeNullOrEmpty -Because "the child wrote: $($child.Output) $($child.Error)"
        $result = $line.Substring('RESULT:'.Length) | ConvertFrom-Json

        [System.IO.Path]::GetFullPath($result.ModuleBase) | Should -Be ([System.IO.Path]::GetFullPath($Installed))
        $result.Version | Should -Be $Version
        $result.Count | Should -Be $Truth.total
        $result.Unique | Should -Be $Truth.total
        $result.Synopsis | Should -Match 'Microsoft Support access'
        $result.About | Should -BeTrue
    }
}
