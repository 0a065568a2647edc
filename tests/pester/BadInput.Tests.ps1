#Requires -Version 7.4
# Input that is wrong by itself gets a clear error, and no request is sent for it.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force
    $script:Emulator = Start-GraphEmulator
    $script:TenantId = (Get-EmulatorTruth -Emulator $Emulator).tenantId

    function script:Connect-Demo {
        $token = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
        Connect-SupportAccess -AccessToken $token -GraphEndpoint $Emulator.BaseUri
    }
}

AfterAll {
    Disconnect-SupportAccess
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Bad input' {
    BeforeEach {
        Connect-Demo
        Clear-EmulatorRequestLog -Emulator $Emulator
    }

    It 'a reversed window' {
        { Get-SupportAccessActivity -StartTime (Get-Date) -EndTime (Get-Date).AddDays(-2) } | Should -Throw -ErrorId 'TimeWindowReversed,*'
        Get-EmulatorRequestCount -Emulator $Emulator | Should -Be 0
    }

    It '-First 0' {
        { Get-SupportAccessActivity -First 0 } | Should -Throw -ErrorId 'FirstIsZero,*'
        Get-EmulatorRequestCount -Emulator $Emulator | Should -Be 0
    }

    It 'a start time beyond any tenant''s retention names 7 or 30 days and Log Analytics' {
        $failure = $null
        try { Get-SupportAccessActivity -StartTime (Get-Date).AddDays(-45) } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'StartTimeBeyondRetention,*'
        $failure.Exception.Message | Should -Match '30 days'
        $failure.Exception.Message | Should -Match '7 days'
        $failure.Exception.Message | Should -Match 'Log Analytics'
        Get-EmulatorRequestCount -Emulator $Emulator | Should -Be 0
    }

    It 'an OData injection attempt in -InitiatedBy is escaped, never injected' {
        $found = @(Get-SupportAccessActivity -InitiatedBy "x' or 1 eq 1 or 'a@contoso.com" -RequestsPer10Seconds 0)
        $found | Should -BeNullOrEmpty
        $audit = @(Get-EmulatorRequest -Emulator $Emulator | Where-Object path -EQ '/v1.0/auditLogs/directoryAudits')
        $audit.Count | Should -Be 1
        $audit[0].status | Should -Be 200 -Because 'the emulator, like Graph, answers 400 to an injected "or"'
        [uri]::UnescapeDataString($audit[0].query) | Should -Match "eq 'x'' or 1 eq 1 or ''a@contoso.com'"
    }

    It 'a JWT that names no tenant, without -TenantId, says what is missing' {
        $noTenant = New-UnsignedJwt @{ aud = 'https://graph.microsoft.com'; exp = [datetimeoffset]::UtcNow.AddHours(1).ToUnixTimeSeconds() } | ConvertTo-SecureString -AsPlainText -Force
        { Connect-SupportAccess -AccessToken $noTenant -GraphEndpoint $Emulator.BaseUri } | Should -Throw -ErrorId 'TenantUnknown,*'
    }

    It 'a token for another audience (ARM) names the audience that is needed' {
        $arm = New-UnsignedJwt @{ aud = 'https://management.azure.com/'; tid = $TenantId; exp = [datetimeoffset]::UtcNow.AddHours(1).ToUnixTimeSeconds() }
        $failure = $null
        try { Connect-SupportAccess -AccessToken ($arm | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $Emulator.BaseUri } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'AccessTokenWrongAudience,*'
        $failure.Exception.Message | Should -Match 'https://graph\.microsoft\.com'
        $failure.Exception.Message | Should -Match 'management\.azure\.com'
    }

    It 'a token that has already expired errors before sending' {
        $expired = New-UnsignedJwt @{ aud = 'https://graph.microsoft.com'; tid = $TenantId; exp = [datetimeoffset]::UtcNow.AddMinutes(-5).ToUnixTimeSeconds() }
        { Connect-SupportAccess -AccessToken ($expired | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $Emulator.BaseUri } |
            Should -Throw -ErrorId 'AccessTokenExpired,*'
        Get-EmulatorRequestCount -Emulator $Emulator | Should -Be 0
    }

    It 'an http endpoint that is not loopback is refused' {
        $token = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
        { Connect-SupportAccess -AccessToken $token -GraphEndpoint 'http://graph.contoso.example/' } | Should -Throw -ErrorId 'GraphEndpointRefused,*'
    }

    It '-Environment China says plainly that directoryAudits is not offered there' {
        $token = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
        Connect-SupportAccess -AccessToken $token -Environment China -GraphEndpoint $Emulator.BaseUri
        $failure = $null
        try { Get-SupportAccessActivity -SkipRoleCheck } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'DirectoryAuditsUnavailableInCloud,*'
        $failure.Exception.Message | Should -Match 'China'
        Get-EmulatorRequestCount -Emulator $Emulator | Should -Be 0
    }
}
