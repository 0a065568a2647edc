#Requires -Version 7.4
<#
.SYNOPSIS
Packs a built module folder into <Name>.<Version>.nupkg that PSResourceGet can install.

.DESCRIPTION
Uses PSResourceGet, which ships with PowerShell 7.4 and later, and needs no repository on the
network: Compress-PSResource (PSResourceGet 1.1 and later) validates the manifest and writes
the package; with an older PSResourceGet the module is published to a temporary local
repository, registered under a unique name and unregistered again.

The package is a PowerShell module package as the PowerShell Gallery serves them: the
module folder's contents at the package root and a nuspec made from the manifest (id,
version, authors, description, copyright, release notes, tags, and the project and licence
URLs when the manifest names them).
PSResourceGet writes the tag PSModule; this script adds what Publish-Module used to add and
the PowerShell Gallery derives on upload: PSIncludes_Cmdlet, and PSCmdlet_<name> and
PSCommand_<name> for every exported cmdlet, so NuGet feeds that search the nuspec's tags (a
Gallery-like server, Azure Artifacts) can find the module by command name. (A local folder
repository reads the module manifest inside the package instead.)

.PARAMETER ModulePath
The built module folder, holding <Name>.psd1.

.PARAMETER DestinationPath
The folder the .nupkg is written to; created when missing. An older package of the same
name and version there is replaced.

.OUTPUTS
System.IO.FileInfo: the package.

.EXAMPLE
./build/New-ModulePackage.ps1 -ModulePath output/SupportAccessLogs -DestinationPath output/package
#>
[CmdletBinding()]
[OutputType([System.IO.FileInfo])]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DestinationPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
$name = Split-Path -Leaf $ModulePath
$manifestPath = Join-Path $ModulePath "$name.psd1"
if (-not (Test-Path -LiteralPath $manifestPath)) { throw "No module manifest at $manifestPath. Build the module first." }
$manifest = Import-PowerShellDataFile -LiteralPath $manifestPath
$version = $manifest.ModuleVersion
$cmdlets = @($manifest.CmdletsToExport)

New-Item -ItemType Directory -Path $DestinationPath -Force | Out-Null
$DestinationPath = (Resolve-Path -LiteralPath $DestinationPath).ProviderPath
$staging = Join-Path ([System.IO.Path]::GetTempPath()) "sal-package-$([guid]::NewGuid().ToString('N'))"
New-Item -ItemType Directory -Path $staging | Out-Null
try {
    Import-Module Microsoft.PowerShell.PSResourceGet -ErrorAction Stop
    if (Get-Command -Name Compress-PSResource -ErrorAction Ignore) {
        Compress-PSResource -Path $ModulePath -DestinationPath $staging
    }
    else {
        $repository = "SupportAccessLogsPack-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
        Register-PSResourceRepository -Name $repository -Uri $staging -Trusted
        try {
            Publish-PSResource -Path $ModulePath -Repository $repository
        }
        finally {
            Unregister-PSResourceRepository -Name $repository
        }
    }

    $built = Join-Path $staging "$name.$version.nupkg"
    if (-not (Test-Path -LiteralPath $built)) {
        throw "PSResourceGet did not write $name.$version.nupkg (found: $((Get-ChildItem -LiteralPath $staging).Name -join ', '))."
    }

    # Command tags in the nuspec and in the package's core properties (the OPC copy of the metadata).
    $extraTags = @('PSIncludes_Cmdlet') + @($cmdlets | ForEach-Object { "PSCmdlet_$_"; "PSCommand_$_" })
    Add-Type -AssemblyName System.IO.Compression
    $zip = [System.IO.Compression.ZipFile]::Open($built, [System.IO.Compression.ZipArchiveMode]::Update)
    try {
        $entries = @($zip.Entries | Where-Object { $_.FullName -eq "$name.nuspec" -or $_.FullName -like 'package/services/metadata/core-properties/*.psmdcp' })
        if (-not ($entries | Where-Object FullName -EQ "$name.nuspec")) { throw "The package has no $name.nuspec." }
        foreach ($entry in $entries) {
            $reader = [System.IO.StreamReader]::new($entry.Open())
            try { $xml = [xml]$reader.ReadToEnd() } finally { $reader.Dispose() }
            $element = if ($entry.FullName -like '*.nuspec') {
                $xml.package.metadata.get_Item('tags', $xml.package.metadata.NamespaceURI)
            }
            else {
                $xml.DocumentElement.ChildNodes | Where-Object LocalName -EQ 'keywords' | Select-Object -First 1
            }
            if ($null -eq $element) { throw "No tags in $($entry.FullName)." }
            $tags = [System.Collections.Generic.List[string]]::new()
            foreach ($tag in ($element.InnerText -split '\s+') + $extraTags) {
                if ($tag -and -not $tags.Contains($tag)) { $tags.Add($tag) }
            }
            $element.InnerText = $tags -join ' '

            $entryName = $entry.FullName
            $entry.Delete()
            $writer = [System.IO.StreamWriter]::new($zip.CreateEntry($entryName).Open(), [System.Text.UTF8Encoding]::new($false))
            try { $xml.Save($writer) } finally { $writer.Dispose() }
        }
    }
    finally {
        $zip.Dispose()
    }

    $target = Join-Path $DestinationPath "$name.$version.nupkg"
    Move-Item -LiteralPath $built -Destination $target -Force
    Get-Item -LiteralPath $target
}
finally {
    Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction Ignore
}
