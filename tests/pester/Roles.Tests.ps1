#Requires -Version 7.4
# The role pre-flight check of Get-SupportAccessActivity and Get-SupportAccessRole, with the
# built module against the emulator's directory (real built-in role names and template ids).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force
    $script:Emulator = Start-GraphEmulator
    $script:Truth = Get-EmulatorTruth -Emulator $Emulator
    $script:Expected = Invoke-RestMethod -Uri ([uri]::new($Emulator.BaseUri, '_emulator/roles'))
    $script:Users = @{}
    Invoke-RestMethod -Uri ([uri]::new($Emulator.BaseUri, '_emulator/users')) | ForEach-Object { $_ } |
        ForEach-Object { $Users[$_.key] = $_ }

    $script:AuditPath = '/v1.0/auditLogs/directoryAudits'
    $script:RoleLookupPath = '/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole'

    # Connects as a test caller; claims as /_emulator/token takes them (user=<key>, wids=, scp=, roles=).
    function script:Connect-As([hashtable] $Claims) {
        $token = Get-EmulatorToken -Emulator $Emulator -Claims $Claims | ConvertTo-SecureString -AsPlainText -Force
        Connect-SupportAccess -AccessToken $token -GraphEndpoint $Emulator.BaseUri
        Clear-EmulatorRequestLog -Emulator $Emulator
    }
}

AfterAll {
    Disconnect-SupportAccess
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'The role pre-flight check of Get-SupportAccessActivity' {
    It 'lets a delegated caller holding <_> read' -ForEach 'reportsReader', 'securityReader', 'securityAdmin', 'globalAdmin', 'admin' {
        Connect-As @{ user = $_ }
        $activity = @(Get-SupportAccessActivity -First 3 -WarningAction SilentlyContinue -Verbose 4>&1)
        $records = @($activity | Where-Object { $_ -is [SupportAccessLogs.SupportAccessActivity] })
        $verbose = @($activity | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $records.Count | Should -Be 3
        $verbose | Should -Match 'Role check: .* holds '
        Get-EmulatorRequestCount -Emulator $Emulator -Path $RoleLookupPath | Should -Be 0 -Because 'the wids claim answers without a lookup'
    }

    It 'denies Helpdesk Administrator alone before any audit request, naming the caller, the roles that work and the fix' {
        Connect-As @{ user = 'helpdesk' }
        $failure = $null
        try { Get-SupportAccessActivity } catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -BeLike 'ReaderRoleMissing,*'
        $failure.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $message = $failure.Exception.Message
        $message | Should -Match ([regex]::Escape($Users.helpdesk.userPrincipalName))
        $message | Should -Match 'Helpdesk Administrator'
        foreach ($role in 'Reports Reader', 'Security Reader', 'Security Administrator', 'Global Reader', 'Global Administrator') {
            $message | Should -Match $role
        }
        $message | Should -Match 'Privileged Identity Management'
        Get-EmulatorRequestCount -Emulator $Emulator -Path $AuditPath | Should -Be 0
    }

    It 'looks the roles up in Graph when the token has no wids claim' {
        Connect-As @{ user = 'reportsReader'; wids = '' }
        @(Get-SupportAccessActivity -First 2 -WarningAction SilentlyContinue).Count | Should -Be 2
        Get-EmulatorRequestCount -Emulator $Emulator -Path $RoleLookupPath | Should -Be 1

        Connect-As @{ user = 'helpdesk'; wids = '' }
        { Get-SupportAccessActivity } | Should -Throw -ErrorId 'ReaderRoleMissing,*'
        Get-EmulatorRequestCount -Emulator $Emulator -Path $RoleLookupPath | Should -Be 1
        Get-EmulatorRequestCount -Emulator $Emulator -Path $AuditPath | Should -Be 0
    }

    It 'checks once per connection, not on every call' {
        Connect-As @{ user = 'securityReader'; wids = '' }
        1..3 | ForEach-Object { @(Get-SupportAccessActivity -First 1 -WarningAction SilentlyContinue).Count | Should -Be 1 }
        Get-EmulatorRequestCount -Emulator $Emulator -Path $RoleLookupPath | Should -Be 1
    }

    It 'warns and goes on when the role lookup is forbidden' {
        Connect-As @{ user = 'reportsReader'; wids = ''; scp = 'AuditLog.Read.All' }
        $records = @(Get-SupportAccessActivity -WarningVariable warnings -WarningAction SilentlyContinue)
        $records.Count | Should -Be $Truth.total
        ($warnings.Message -join "`n") | Should -Match 'could not be verified'
        ($warnings.Message -join "`n") | Should -Match 'Directory\.Read\.All'
        Get-EmulatorRequestCount -Emulator $Emulator -Path $RoleLookupPath | Should -Be 1
    }

    It 'stops a delegated token without AuditLog.Read.All before any audit request' {
        Connect-As @{ user = 'reportsReader'; scp = 'Directory.Read.All' }
        { Get-SupportAccessActivity } | Should -Throw -ErrorId 'DelegatedPermissionMissing,*'
        Get-EmulatorRequestCount -Emulator $Emulator -Path $AuditPath | Should -Be 0
    }

    It 'lets an app-only token with AuditLog.Read.All read' {
        Connect-As @{ roles = 'AuditLog.Read.All' }
        @(Get-SupportAccessActivity -WarningAction SilentlyContinue).Count | Should -Be $Truth.total
    }

    It 'stops an app-only token without AuditLog.Read.All, naming the permission and admin consent' {
        Connect-As @{ roles = 'Directory.Read.All' }
        $failure = $null
        try { Get-SupportAccessActivity } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'ApplicationPermissionMissing,*'
        $failure.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failure.Exception.Message | Should -Match 'AuditLog\.Read\.All'
        $failure.Exception.Message | Should -Match 'admin consent'
        Get-EmulatorRequestCount -Emulator $Emulator -Path $AuditPath | Should -Be 0
    }

    It '-SkipRoleCheck skips the check, and the audit API''s own 403 is turned into the same advice' {
        Connect-As @{ user = 'helpdesk' }
        $failure = $null
        try { Get-SupportAccessActivity -SkipRoleCheck } catch { $failure = $_ }
        Get-EmulatorRequestCount -Emulator $Emulator -Path $AuditPath | Should -Be 1 -Because 'the check was skipped'
        $failure.FullyQualifiedErrorId | Should -BeLike 'GraphForbidden,*'
        $failure.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failure.Exception.Message | Should -Match 'Reports Reader'
        $failure.Exception.Message | Should -Match 'request-id'
    }
}

Describe 'Get-SupportAccessRole' {
    BeforeAll {
        Connect-As @{ user = 'ticketOperator' }
        $script:Relevant = @(Get-SupportAccessRole)
        $script:Every = @(Get-SupportAccessRole -All)
    }

    It 'marks the reader roles as able to read, and only them' {
        foreach ($id in $Expected.readerRoleTemplateIds) {
            ($Every | Where-Object TemplateId -EQ $id).CanReadActivityLogs | Should -BeTrue
        }
        @($Every | Where-Object CanReadActivityLogs).Count | Should -Be @($Expected.readerRoleTemplateIds).Count
    }

    It 'marks every built-in manager role as able to manage support access' {
        foreach ($id in $Expected.supportTicketManagerTemplateIds) {
            ($Every | Where-Object TemplateId -EQ $id).CanManageSupportAccess | Should -BeTrue -Because $id
        }
    }

    It 'matches custom roles as Entra does, wildcards included' {
        foreach ($custom in $Expected.customRoles) {
            $row = $Every | Where-Object TemplateId -EQ $custom.id
            $row.IsBuiltIn | Should -BeFalse
            $row.CanManageSupportAccess | Should -Be $custom.canManageSupportAccess -Because $custom.displayName
            $row.CanReadActivityLogs | Should -Be $custom.canReadActivityLogs -Because $custom.displayName
        }
        @($Expected.customRoles | Where-Object canManageSupportAccess).Count | Should -BeGreaterOrEqual 2
    }

    It 'lists by default only the roles that can read or manage; -All adds the rest' {
        @($Relevant | Where-Object { -not ($_.CanReadActivityLogs -or $_.CanManageSupportAccess) }) | Should -BeNullOrEmpty
        foreach ($id in $Expected.neitherTemplateIds) {
            $Relevant.TemplateId | Should -Not -Contain $id
            $Every.TemplateId | Should -Contain $id
        }
    }

    It 'flags the caller''s roles, custom ones included; -Assigned returns only those' {
        $operatorRoles = @($Users.ticketOperator.customRoleIds) + @($Users.ticketOperator.roleTemplateIds) | Where-Object { $_ }
        @($Every | Where-Object AssignedToCaller).TemplateId | Sort-Object | Should -Be ($operatorRoles | Sort-Object)
        @(Get-SupportAccessRole -Assigned).TemplateId | Sort-Object | Should -Be ($operatorRoles | Sort-Object)
    }

    It '-Summary answers for the caller: cannot read, can manage, and through which role' {
        Connect-As @{ user = 'helpdesk' }
        $summary = Get-SupportAccessRole -Summary
        $summary.Caller | Should -Be $Users.helpdesk.userPrincipalName
        $summary.CanReadActivityLogs | Should -BeFalse
        $summary.CanManageSupportAccess | Should -BeTrue
        $summary.ManageGrantedBy | Should -Be @('Helpdesk Administrator')
        $summary.RolesThatCanRead | Sort-Object | Should -Be ('Global Administrator', 'Global Reader', 'Reports Reader', 'Security Administrator', 'Security Reader')
        $summary.Source | Should -Be 'tenant role definitions'
    }

    It 'falls back to the built-in snapshot, with a warning that gives its date, when definitions are forbidden' {
        Connect-As @{ user = 'securityAdmin'; scp = 'AuditLog.Read.All' }
        $roles = @(Get-SupportAccessRole -WarningVariable warnings -WarningAction SilentlyContinue)
        ($warnings.Message -join "`n") | Should -Match 'snapshot'
        ($warnings.Message -join "`n") | Should -Match '\d{4}-\d{2}-\d{2}'
        @($roles | Where-Object CanManageSupportAccess).Count | Should -BeGreaterOrEqual 38
        ($roles | Where-Object DisplayName -EQ 'Service Support Administrator').CanManageSupportAccess | Should -BeTrue
        ($roles | Where-Object DisplayName -EQ 'Global Reader').CanManageSupportAccess | Should -BeFalse
        ($roles | Where-Object DisplayName -EQ 'Security Administrator').AssignedToCaller | Should -BeTrue
        (Get-SupportAccessRole -Summary -WarningAction SilentlyContinue).Source | Should -Match 'snapshot'
    }
}
