#Requires -Version 7.4
# Connections per runspace (issue 23): hosts such as PowerShell Universal, Azure Functions,
# Start-ThreadJob and ForEach-Object -Parallel run many runspaces in one process. Each runspace
# lists, defaults to and reads through only the connections made in it, unless one is handed to
# it; Disconnect-SupportAccess closes what it disconnects.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    $script:ModuleManifest = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1'))
    Import-Module $ModuleManifest -Force

    $script:Contoso = Start-GraphEmulator -Seed 42
    $script:Fabrikam = Start-GraphEmulator -Seed 7 -TenantId '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
    $script:ContosoTruth = Get-EmulatorTruth -Emulator $Contoso
    $script:FabrikamTruth = Get-EmulatorTruth -Emulator $Fabrikam
    $script:ContosoToken = Get-EmulatorToken -Emulator $Contoso
    $script:FabrikamToken = Get-EmulatorToken -Emulator $Fabrikam -Claims @{ tid = $FabrikamTruth.tenantId }
    $script:Quiet = @{ WarningAction = 'SilentlyContinue'; RequestsPer10Seconds = 0; SkipRoleCheck = $true }

    # Runspaces of this process that keep their state between calls, as a hosted script's do.
    function script:New-TestRunspace {
        $runspace = [runspacefactory]::CreateRunspace()
        $runspace.Open()
        $null = Invoke-InRunspace $runspace 'param($Manifest) Import-Module $Manifest' @{ Manifest = $ModuleManifest }
        $runspace
    }

    function script:Invoke-InRunspace($Runspace, [string] $Script, [hashtable] $Parameters = @{}) {
        $shell = [powershell]::Create()
        try {
            $shell.Runspace = $Runspace
            $null = $shell.AddScript($Script).AddParameters($Parameters)
            $output = $shell.Invoke()
            if ($shell.HadErrors -and $shell.Streams.Error.Count -gt 0) {
                throw $shell.Streams.Error[0]
            }
            $output
        }
        finally {
            $shell.Dispose()
        }
    }

    # Returns the error id of what the script throws, or 'none'.
    $script:ErrorIdOf = '
        param($Script, $Connection)
        try { $null = & ([scriptblock]::Create($Script)) $Connection; "none" } catch { $_.FullyQualifiedErrorId }'

    function script:Assert-SameIds($Ids, $Truth) {
        @(Compare-Object ($Truth.records.id | Sort-Object) (@($Ids) | Sort-Object)) | Should -BeNullOrEmpty
    }

    $connect = 'param($Token, $Uri) Connect-SupportAccess -AccessToken (ConvertTo-SecureString $Token -AsPlainText -Force) -GraphEndpoint $Uri -PassThru'
    $script:RunspaceA = New-TestRunspace
    $script:RunspaceB = New-TestRunspace
    $script:ContosoInA = Invoke-InRunspace $RunspaceA $connect @{ Token = $ContosoToken; Uri = $Contoso.BaseUri }
    $script:FabrikamInB = Invoke-InRunspace $RunspaceB $connect @{ Token = $FabrikamToken; Uri = $Fabrikam.BaseUri }
}

AfterAll {
    foreach ($runspace in $RunspaceA, $RunspaceB) {
        if ($runspace) { $runspace.Dispose() }
    }
    Disconnect-SupportAccess -All
    $Contoso, $Fabrikam | Stop-GraphEmulator
}

Describe 'Each runspace has its own connections' {
    It 'a runspace lists only the connections made in it' {
        $inA = @(Invoke-InRunspace $RunspaceA 'Get-SupportAccessConnection')
        $inB = @(Invoke-InRunspace $RunspaceB 'Get-SupportAccessConnection')

        $inA.TenantId | Should -Be @($ContosoTruth.tenantId)
        $inB.TenantId | Should -Be @($FabrikamTruth.tenantId)
        @(Get-SupportAccessConnection) | Should -Not -Contain $ContosoInA
        @(Get-SupportAccessConnection) | Should -Not -Contain $FabrikamInB
    }

    It 'the current connection is each runspace''s own, whichever runspace connected last' {
        # B connected last; A's current connection is still A's.
        (Invoke-InRunspace $RunspaceA 'Get-SupportAccessConnection -Current').TenantId | Should -Be $ContosoTruth.tenantId
        (Invoke-InRunspace $RunspaceB 'Get-SupportAccessConnection -Current').TenantId | Should -Be $FabrikamTruth.tenantId
        Invoke-InRunspace $RunspaceA 'param($c) $c.IsCurrent' @{ c = $ContosoInA } | Should -BeTrue
        Invoke-InRunspace $RunspaceB 'param($c) $c.IsCurrent' @{ c = $ContosoInA } | Should -BeFalse
    }

    It 'a read without -Connection reads the runspace''s own tenant' {
        $read = 'param($Quiet) (Get-SupportAccessActivity @Quiet).Id'
        Assert-SameIds (Invoke-InRunspace $RunspaceA $read @{ Quiet = $Quiet }) $ContosoTruth
        Assert-SameIds (Invoke-InRunspace $RunspaceB $read @{ Quiet = $Quiet }) $FabrikamTruth
    }

    It 'a runspace that connected nothing is not connected, whatever the others did' {
        $fresh = New-TestRunspace
        try {
            @(Invoke-InRunspace $fresh 'Get-SupportAccessConnection') | Should -BeNullOrEmpty
            Invoke-InRunspace $fresh 'Get-SupportAccessConnection -Current' | Should -BeNullOrEmpty
            Invoke-InRunspace $fresh $ErrorIdOf @{ Script = 'Get-SupportAccessActivity -WarningAction SilentlyContinue' } |
                Should -BeLike 'NotConnected,*'
        }
        finally {
            $fresh.Dispose()
        }
    }

    It 'a connection handed to another runspace reads there' {
        $fresh = New-TestRunspace
        try {
            $ids = Invoke-InRunspace $fresh 'param($Connection, $Quiet) (Get-SupportAccessActivity -Connection $Connection @Quiet).Id' @{ Connection = $ContosoInA; Quiet = $Quiet }
            Assert-SameIds $ids $ContosoTruth
            # Handed over, it is still not that runspace's: not listed, not its default.
            @(Invoke-InRunspace $fresh 'Get-SupportAccessConnection') | Should -BeNullOrEmpty
        }
        finally {
            $fresh.Dispose()
        }
    }

    It 'ForEach-Object -Parallel fans tenants out with $using:, and a block given none is not connected' {
        $connections = @{ Contoso = $ContosoInA; Fabrikam = $FabrikamInB }
        $results = 'Contoso', 'Fabrikam' | ForEach-Object -ThrottleLimit 2 -Parallel {
            Import-Module $using:ModuleManifest
            $connection = ($using:connections)[$_]
            $quiet = $using:Quiet
            $withoutConnection = try { $null = Get-SupportAccessActivity @quiet; 'none' } catch { $_.FullyQualifiedErrorId }
            [pscustomobject]@{
                Tenant            = $_
                Ids               = @(Get-SupportAccessActivity -Connection $connection @quiet).Id
                Listed            = @(Get-SupportAccessConnection).Count
                WithoutConnection = $withoutConnection
            }
        }
        Assert-SameIds ($results | Where-Object Tenant -EQ 'Contoso').Ids $ContosoTruth
        Assert-SameIds ($results | Where-Object Tenant -EQ 'Fabrikam').Ids $FabrikamTruth
        $results.Listed | Should -Be @(0, 0)
        $results.WithoutConnection | ForEach-Object { $_ | Should -BeLike 'NotConnected,*' }
    }

    It 'Start-ThreadJob reads through a connection passed with $using:' {
        $connection = $FabrikamInB
        $job = Start-ThreadJob -ScriptBlock {
            Import-Module $using:ModuleManifest
            $quiet = $using:Quiet
            @(Get-SupportAccessActivity -Connection $using:connection @quiet).Id
        }
        $ids = $job | Receive-Job -Wait -AutoRemoveJob -ErrorAction Stop
        Assert-SameIds $ids $FabrikamTruth
    }
}

Describe 'Disconnect-SupportAccess closes what it disconnects' {
    BeforeEach {
        $script:Extra = Connect-SupportAccess -AccessToken ($ContosoToken | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $Contoso.BaseUri -PassThru
    }

    It 'a disconnected connection passed later is ConnectionClosed, saying to connect again' {
        $Extra | Disconnect-SupportAccess

        @(Get-SupportAccessConnection) | Should -Not -Contain $Extra
        $Extra.IsCurrent | Should -BeFalse
        $failure = { Get-SupportAccessActivity -Connection $Extra @Quiet } | Should -Throw -ErrorId 'ConnectionClosed,*' -PassThru
        $failure.Exception.Message | Should -Match 'Connect-SupportAccess again'
        $failure.Exception.Message | Should -Match $ContosoTruth.tenantId
        { Get-SupportAccessRole -Connection $Extra -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'ConnectionClosed,*'
        { Get-SupportAccessActivity @Quiet } | Should -Throw -ErrorId 'NotConnected,*'
    }

    It 'sends nothing through a closed connection' {
        Disconnect-SupportAccess
        Clear-EmulatorRequestLog -Emulator $Contoso

        { Get-SupportAccessActivity -Connection $Extra @Quiet } | Should -Throw -ErrorId 'ConnectionClosed,*'

        Get-EmulatorRequestCount -Emulator $Contoso | Should -Be 0
    }

    It '-WhatIf keeps the connection, listed and working' {
        Disconnect-SupportAccess -Connection $Extra -WhatIf

        @(Get-SupportAccessConnection) | Should -Contain $Extra
        $Extra.IsCurrent | Should -BeTrue
        @(Get-SupportAccessActivity -Connection $Extra @Quiet -First 1).Count | Should -Be 1
        Disconnect-SupportAccess -Connection $Extra
    }

    It 'disconnecting again says so and does nothing more' {
        Disconnect-SupportAccess -Connection $Extra
        $verbose = Disconnect-SupportAccess -Connection $Extra -Verbose 4>&1
        "$verbose" | Should -Match 'closed already'
    }

    It 'a connection handed to a thread job and disconnected there is closed here too' {
        $connection = $Extra
        Start-ThreadJob -ScriptBlock {
            Import-Module $using:ModuleManifest
            Disconnect-SupportAccess -Connection $using:connection
        } | Receive-Job -Wait -AutoRemoveJob -ErrorAction Stop

        @(Get-SupportAccessConnection) | Should -Not -Contain $Extra
        Get-SupportAccessConnection -Current | Should -BeNullOrEmpty
        { Get-SupportAccessActivity -Connection $Extra @Quiet } | Should -Throw -ErrorId 'ConnectionClosed,*'
    }

    It 'a connection replaced by connecting again stays open for whoever holds it' {
        $again = Connect-SupportAccess -AccessToken ($ContosoToken | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $Contoso.BaseUri -PassThru

        @(Get-SupportAccessConnection) | Should -Not -Contain $Extra
        @(Get-SupportAccessConnection) | Should -Contain $again
        @(Get-SupportAccessActivity -Connection $Extra @Quiet -First 1).Count | Should -Be 1
        Disconnect-SupportAccess -Connection $Extra, $again
    }

    It '-All closes this runspace''s connections only' {
        Disconnect-SupportAccess -All

        @(Get-SupportAccessConnection) | Should -BeNullOrEmpty
        { Get-SupportAccessActivity -Connection $Extra @Quiet } | Should -Throw -ErrorId 'ConnectionClosed,*'
        (Invoke-InRunspace $RunspaceA 'Get-SupportAccessConnection -Current').TenantId | Should -Be $ContosoTruth.tenantId
        Assert-SameIds (Invoke-InRunspace $RunspaceA 'param($Quiet) (Get-SupportAccessActivity @Quiet).Id' @{ Quiet = $Quiet }) $ContosoTruth
    }
}
