# The one manifest of the module. build.ps1 copies it into output/ and stamps the assembly
# version from ModuleVersion.
@{
    RootModule           = 'SupportAccessLogs.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d0b7e3c-2f4a-4a8e-9c61-7b3e1f2d9a40'
    Author               = 'SupportAccessLogs contributors'
    CompanyName          = 'SupportAccessLogs contributors'
    Copyright            = '(c) 2026 SupportAccessLogs contributors. MIT License.'
    Description          = 'Reads the Entra audit trail of Microsoft Support access requests from Microsoft Graph, classified as user-initiated, automated or cross-tenant, ready for Export-Csv.'
    # 5.1 loads bin/netstandard2.0; PowerShell 7 needs 7.4 (.NET 8), which the psm1 checks.
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    CompatiblePSEditions = @('Desktop', 'Core')
    TypesToProcess       = @('SupportAccessLogs.Types.ps1xml')
    FormatsToProcess     = @('SupportAccessLogs.Format.ps1xml')
    CmdletsToExport      = @(
        'Connect-SupportAccess'
        'Disconnect-SupportAccess'
        'Export-SupportAccessActivity'
        'Export-SupportAccessReport'
        'Get-SupportAccessConnection'
        'Get-SupportAccessActivity'
        'Get-SupportAccessKql'
        'Get-SupportAccessRequest'
        'Get-SupportAccessRole'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Entra', 'AzureAD', 'MicrosoftGraph', 'AuditLog', 'SupportAccess', 'Security', 'Compliance',
                'EntraID', 'Graph', 'DirectoryAudit', 'MicrosoftSupport', 'SupportAccessRequest', 'Audit',
                'Windows', 'Linux', 'MacOS')
            # No ProjectUri or LicenseUri until the project has a public home: a manifest names
            # no address that does not exist. The licence travels in the package (LICENSE).
            ReleaseNotes = @'
0.1.0 (unreleased): first version. Connect-SupportAccess (every common sign-in),
Get-SupportAccessActivity (classified, server-filtered, paged, retried and paced),
Get-SupportAccessRole, Get-SupportAccessConnection, Disconnect-SupportAccess, with full help
and about_SupportAccessLogs. See CHANGELOG.md in the project for the details.
'@
        }
    }
}
