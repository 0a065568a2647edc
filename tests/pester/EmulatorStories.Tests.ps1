#Requires -Version 7.4
# The emulator's stories seen from another process, the way Pester tests write expectations from
# tests/GraphEmulator/README.md ("Stories"): the anchor read back with Get-EmulatorAnchor, each
# step at its fixed offset from it, through the built module (Graph and the demo workspace).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force
    $script:Emulator = Start-GraphEmulator
    $script:Anchor = Get-EmulatorAnchor -Emulator $Emulator
    $graph = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
    $logAnalytics = Get-EmulatorToken -Emulator $Emulator -Claims @{ api = 'loganalytics' } | ConvertTo-SecureString -AsPlainText -Force
    Connect-SupportAccess -AccessToken $graph -LogAnalyticsAccessToken $logAnalytics -GraphEndpoint $Emulator.BaseUri -LogAnalyticsEndpoint $Emulator.BaseUri
    $script:Workspace = 'b4c6d8e0-2f1a-4b3c-9d5e-7f8a9b0c1d2e'
}

AfterAll {
    Disconnect-SupportAccess
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'The stories from another process' {
    It 'Get-EmulatorAnchor is the truth''s anchor, a whole minute, in UTC' {
        $Anchor | Should -BeOfType [datetimeoffset]
        $Anchor.Offset | Should -Be ([timespan]::Zero)
        $Anchor.Ticks % [timespan]::TicksPerMinute | Should -Be 0
        ([datetimeoffset]::UtcNow - $Anchor).TotalMinutes | Should -BeLessThan 10
    }

    It 'S2 from Graph: created at anchor - 12 days, approved by o''brien 1 h later, access removed by the admin at - 11 days' {
        $s2 = @(Get-SupportAccessActivity -WarningAction SilentlyContinue | Where-Object SupportRequestId -EQ '2611200010000002' |
                Sort-Object ActivityDateTime)
        $s2.Id | Should -Be @('5e000000-0002-4000-8000-000000000001', '5e000000-0002-4000-8000-000000000002',
            '5e000000-0002-4000-8000-000000000003', '5e000000-0002-4000-8000-000000000004')
        $s2.ActivityDateTime | Should -Be @($Anchor.AddDays(-12).UtcDateTime, $Anchor.AddDays(-12).AddHours(1).UtcDateTime,
            $Anchor.AddDays(-12).AddHours(1).AddMinutes(1).UtcDateTime, $Anchor.AddDays(-11).UtcDateTime)
        $s2.Activity | Should -Be @('RequestCreated', 'RequestApproved', 'ApprovalCreated', 'AccessRemovedManually')
        $s2[1].InitiatedBy | Should -Be "o'brien@contoso.com"
        $s2[3].InitiatedBy | Should -Be 'admin@contoso.onmicrosoft.com'
    }

    It 'S7: Graph serves only its removal at - 25 days, the workspace its whole life from - 35 days' {
        $fromGraph = @(Get-SupportAccessActivity -WarningAction SilentlyContinue | Where-Object SupportRequestId -EQ '2611200010000007')
        $fromGraph.Id | Should -Be '5e000000-0007-4000-8000-000000000004'
        $fromGraph.ActivityDateTime | Should -Be $Anchor.AddDays(-25).UtcDateTime

        $fromWorkspace = @(Get-SupportAccessActivity -WorkspaceId $Workspace -StartTime $Anchor.AddDays(-40).UtcDateTime -EndTime $Anchor.UtcDateTime -WarningAction SilentlyContinue |
                Where-Object SupportRequestId -EQ '2611200010000007' | Sort-Object ActivityDateTime)
        $fromWorkspace.ActivityDateTime | Should -Be @($Anchor.AddDays(-35).UtcDateTime, $Anchor.AddDays(-35).AddHours(1).UtcDateTime,
            $Anchor.AddDays(-35).AddHours(1).AddMinutes(1).UtcDateTime, $Anchor.AddDays(-25).UtcDateTime)
        $fromWorkspace.Activity | Should -Be @('RequestCreated', 'RequestApproved', 'ApprovalCreated', 'AccessRemovedOnClosure')
    }

    It 'S8 in the workspace: our two steps and Fabrikam''s two, each tenant''s rows saying whose they are' {
        $s8 = @(Get-SupportAccessActivity -WorkspaceId $Workspace -StartTime $Anchor.AddDays(-10).UtcDateTime -EndTime $Anchor.UtcDateTime -WarningAction SilentlyContinue |
                Where-Object SupportRequestId -EQ '2611200010000008' | Sort-Object ActivityDateTime)
        $s8.TenantId | Should -Be @('6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f', '6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f',
            '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d')
        $s8.TenantRole | Should -Be @('SupportRequestTenant', 'SupportRequestTenant', 'ResourceTenant', 'ResourceTenant')
        $s8.OtherTenantId | Should -Be @('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
            '6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f', '6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f')
        $s8[2].ActivityDateTime | Should -Be $Anchor.AddDays(-8).AddHours(2).AddMinutes(2).UtcDateTime
    }
}
