# Loader shim. On PowerShell 7 the module assembly and its dependencies (Microsoft.Graph, Kiota,
# Azure.Core, Azure.Identity, MSAL) load into the module's own AssemblyLoadContext, so that
# Az.Accounts or Microsoft.Graph.Authentication can hold other versions in the same session.
# Windows PowerShell 5.1 (.NET Framework) has no load contexts: there the netstandard2.0 build
# loads into the session like any binary module, so import this module before Az or Graph
# modules in a 5.1 session (README, "Windows PowerShell 5.1").

$importModule = Get-Command -Name Import-Module -Module Microsoft.PowerShell.Core

if ($PSEdition -eq 'Desktop') {
    & $importModule -Name ([System.IO.Path]::Combine($PSScriptRoot, 'bin', 'netstandard2.0', 'SupportAccessLogs.dll'))
    return
}

if ($PSVersionTable.PSVersion -lt [version]'7.4') {
    throw [System.PlatformNotSupportedException]::new(
        "SupportAccessLogs needs PowerShell 7.4 or later (this is $($PSVersionTable.PSVersion)), or Windows PowerShell 5.1. Update PowerShell: https://aka.ms/powershell-release?tag=lts")
}

$binPath = [System.IO.Path]::Combine($PSScriptRoot, 'bin', 'net8.0')

# Import-Module -Force runs this file again; the load context (and the loader type) survive.
$isReload = $true
if (-not ('SupportAccessLogs.Loader.LoadContext' -as [type])) {
    $isReload = $false
    Add-Type -Path ([System.IO.Path]::Combine($binPath, 'SupportAccessLogs.Loader.dll'))
}

$moduleAssembly = [SupportAccessLogs.Loader.LoadContext]::Initialize()
$innerModule = & $importModule -Assembly $moduleAssembly -PassThru:$isReload

if ($innerModule) {
    # On a re-import, Import-Module -Assembly returns the cached binary module without adding its
    # cmdlets to this module's scope (PowerShell/PowerShell#20710), so add them here.
    $addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod(
        'AddExportedCmdlet',
        [System.Reflection.BindingFlags]'Instance, NonPublic')
    foreach ($command in $innerModule.ExportedCmdlets.Values) {
        $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $command))
    }
}
