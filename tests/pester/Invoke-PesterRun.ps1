# Runs every *.Tests.ps1 here with the given Pester and writes the counts for build.ps1 Test.
# build.ps1 starts it in a child pwsh so the module under test loads in a fresh process.
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $ResultDirectory
)
$ErrorActionPreference = 'Stop'
Import-Module -Name $PesterManifest

$configuration = New-PesterConfiguration
$configuration.Run.Path = $PSScriptRoot
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = Join-Path $ResultDirectory 'pester.xml'
$result = Invoke-Pester -Configuration $configuration

# A block or file that fails before its tests run hides those tests; count each such failure.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
# The names go to the end of the Test command's output, where a CI log's tail still shows them.
$failedNames = @($result.Failed | ForEach-Object { $_.ExpandedPath }) +
    @($result.FailedBlocks | ForEach-Object { "$($_.ExpandedPath) (block)" }) +
    @($result.FailedContainers | ForEach-Object { "$($_.Item) (file)" })
@{ Passed = $result.PassedCount; Failed = $failed; FailedNames = $failedNames } | ConvertTo-Json |
    Set-Content -LiteralPath (Join-Path $ResultDirectory 'pester-summary.json')
