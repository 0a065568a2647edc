# Dot-sourced by build.ps1 and tests/pester/EmulatorProcess.psm1: how to start the same
# PowerShell as the one running, for the child processes both of them start.

function Get-PwshCommand {
    <#
    .SYNOPSIS
    The command line that starts the same PowerShell as this one: under `dotnet pwsh` that is the
    dotnet host plus pwsh.dll, under a native pwsh the pwsh executable.
    #>
    $processPath = [System.Environment]::ProcessPath
    if ([System.IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') {
        return , @($processPath, (Join-Path $PSHOME 'pwsh.dll'))
    }
    , @($processPath)
}
