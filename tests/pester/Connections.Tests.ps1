#Requires -Version 7.4
# Several tenants in one script, and connections handed to ForEach-Object -Parallel runspaces.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    $script:ModuleManifest = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1'))
    Import-Module $ModuleManifest -Force

    # Two tenants: different tenant ids and seeds, so their record ids differ.
    $script:Contoso = Start-GraphEmulator -Seed 42
    $script:Fabrikam = Start-GraphEmulator -Seed 7 -TenantId '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
    $script:ContosoTruth = Get-EmulatorTruth -Emulator $Contoso
    $script:FabrikamTruth = Get-EmulatorTruth -Emulator $Fabrikam

    $contosoToken = Get-EmulatorToken -Emulator $Contoso | ConvertTo-SecureString -AsPlainText -Force
    $fabrikamToken = Get-EmulatorToken -Emulator $Fabrikam -Claims @{ tid = $FabrikamTruth.tenantId } |
        ConvertTo-SecureString -AsPlainText -Force
    $script:ContosoConnection = Connect-SupportAccess -AccessToken $contosoToken -GraphEndpoint $Contoso.BaseUri -PassThru
    # The last connect is the session default.
    $script:FabrikamConnection = Connect-SupportAccess -AccessToken $fabrikamToken -GraphEndpoint $Fabrikam.BaseUri -PassThru

    function script:Assert-SameIds($Activities, $Truth) {
        @(Compare-Object ($Truth.records.id | Sort-Object) (@($Activities).Id | Sort-Object)) | Should -BeNullOrEmpty
    }
}

AfterAll {
    Disconnect-SupportAccess
    $Contoso, $Fabrikam | Stop-GraphEmulator
}

Describe 'Connections' {
    It 'the two tenants really hold different records' {
        $ContosoTruth.tenantId | Should -Not -Be $FabrikamTruth.tenantId
        @($ContosoTruth.records.id | Where-Object { $_ -in $FabrikamTruth.records.id }) | Should -BeNullOrEmpty
    }

    It 'Get-SupportAccessConnection -Current shows the default connection without any token' {
        $current = Get-SupportAccessConnection -Current
        $current.TenantId | Should -Be $FabrikamTruth.tenantId
        $current.IsCurrent | Should -BeTrue
        ($current | Format-List * | Out-String) | Should -Not -Match 'eyJ'
    }

    It 'Get-SupportAccessConnection lists every live connection, the current one last' {
        $listed = @(Get-SupportAccessConnection)
        $listed | Should -Contain $ContosoConnection
        $listed[-1] | Should -Be $FabrikamConnection
        ($listed | Format-List * | Out-String) | Should -Not -Match 'eyJ'
    }

    It 'Disconnect-SupportAccess forgets the connections it is given, the current one, or all' {
        $extra = Connect-SupportAccess -AccessToken (Get-EmulatorToken -Emulator $Contoso | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $Contoso.BaseUri -PassThru
        $extra.IsCurrent | Should -BeTrue

        $extra | Disconnect-SupportAccess

        @(Get-SupportAccessConnection) | Should -Not -Contain $extra
        Get-SupportAccessConnection -Current | Should -BeNullOrEmpty
        { Get-SupportAccessActivity } | Should -Throw -ErrorId 'NotConnected,*'
        # Disconnecting closes it: given by name later, it is refused, not read (issue 23).
        { Get-SupportAccessActivity -Connection $extra -First 1 -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'ConnectionClosed,*'
        $script:FabrikamConnection = Connect-SupportAccess -AccessToken (Get-EmulatorToken -Emulator $Fabrikam -Claims @{ tid = $FabrikamTruth.tenantId } | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $Fabrikam.BaseUri -PassThru
    }

    It '-Connection reads the tenant it names, whatever the default is' {
        Assert-SameIds (Get-SupportAccessActivity -Connection $ContosoConnection -WarningAction SilentlyContinue) $ContosoTruth
        Assert-SameIds (Get-SupportAccessActivity -WarningAction SilentlyContinue) $FabrikamTruth
    }

    It 'ForEach-Object -Parallel runspaces split connections with $using:' {
        $connections = @{ Contoso = $ContosoConnection; Fabrikam = $FabrikamConnection }
        $results = 'Contoso', 'Fabrikam' | ForEach-Object -ThrottleLimit 2 -Parallel {
            Import-Module $using:ModuleManifest
            $connection = ($using:connections)[$_]
            [pscustomobject]@{ Tenant = $_; Ids = @(Get-SupportAccessActivity -Connection $connection -WarningAction SilentlyContinue).Id }
        }
        @(Compare-Object ($ContosoTruth.records.id | Sort-Object) (($results | Where-Object Tenant -EQ 'Contoso').Ids | Sort-Object)) | Should -BeNullOrEmpty
        @(Compare-Object ($FabrikamTruth.records.id | Sort-Object) (($results | Where-Object Tenant -EQ 'Fabrikam').Ids | Sort-Object)) | Should -BeNullOrEmpty
    }

    It 'ForEach-Object -Parallel runspaces have connections of their own: none unless handed one' {
        # Connections are per runspace (issue 23): a parallel block does not read whichever tenant
        # connected last in the process; it is given its connection with $using:.
        $current = Get-SupportAccessConnection -Current
        $results = 1..3 | ForEach-Object -ThrottleLimit 3 -Parallel {
            Import-Module $using:ModuleManifest
            $default = try { $null = Get-SupportAccessActivity -First 4 -WarningAction SilentlyContinue; 'read' } catch { $_.FullyQualifiedErrorId }
            [pscustomobject]@{
                Listed  = @(Get-SupportAccessConnection).Count
                Default = $default
                Given   = @(Get-SupportAccessActivity -Connection $using:current -First 4 -WarningAction SilentlyContinue).Count
            }
        }
        $results.Listed | Should -Be @(0, 0, 0)
        $results.Default | ForEach-Object { $_ | Should -BeLike 'NotConnected,*' }
        $results.Given | Should -Be @(4, 4, 4)
    }
}
