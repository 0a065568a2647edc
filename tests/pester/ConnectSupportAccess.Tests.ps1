#Requires -Version 7.4
# Connect-SupportAccess / Disconnect-SupportAccess with the built module against the emulator.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force
    $script:Emulator = Start-GraphEmulator
    $script:DemoTenantId = (Get-EmulatorTruth -Emulator $Emulator).tenantId

    function script:New-SecureToken([hashtable] $Claims = @{}) {
        Get-EmulatorToken -Emulator $Emulator -Claims $Claims | ConvertTo-SecureString -AsPlainText -Force
    }
}

AfterAll {
    Disconnect-SupportAccess
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Connect-SupportAccess -AccessToken' {
    BeforeEach {
        Clear-EmulatorRequestLog -Emulator $Emulator
    }

    It '-PassThru shows tenant, account, endpoint and expiry, and never the token' {
        $plainToken = Get-EmulatorToken -Emulator $Emulator
        $connection = Connect-SupportAccess -AccessToken ($plainToken | ConvertTo-SecureString -AsPlainText -Force) `
            -GraphEndpoint $Emulator.BaseUri -PassThru

        $connection.TenantId | Should -Be $DemoTenantId
        $connection.Account | Should -Be 'admin@contoso.onmicrosoft.com'
        $connection.GraphEndpoint.Authority | Should -Be $Emulator.BaseUri.Authority
        $connection.ExpiresOn | Should -BeGreaterThan ([datetimeoffset]::UtcNow)

        $shown = ($connection | Format-List * | Out-String) + ($connection | ConvertTo-Json -Depth 3) + "$connection"
        $tokenSignature = $plainToken.Split('.')[1]
        $shown | Should -Not -Match ([regex]::Escape($tokenSignature))
    }

    It 'connects without sending any request' {
        Connect-SupportAccess -AccessToken (New-SecureToken) -GraphEndpoint $Emulator.BaseUri
        Get-EmulatorRequestCount -Emulator $Emulator | Should -Be 0
    }

    It 'refuses a plain http endpoint that is not loopback' {
        { Connect-SupportAccess -AccessToken (New-SecureToken) -GraphEndpoint 'http://graph.contoso.example/' } |
            Should -Throw -ExpectedMessage '*https*'
    }

    It 'errors clearly when the token names no tenant and -TenantId is not given' {
        $noTenant = New-SecureToken @{ tid = '' }
        { Connect-SupportAccess -AccessToken $noTenant -GraphEndpoint $Emulator.BaseUri } |
            Should -Throw -ExpectedMessage '*-TenantId*'
    }

    It 'takes the tenant from -TenantId when the token names none' {
        $noTenant = New-SecureToken @{ tid = '' }
        $connection = Connect-SupportAccess -AccessToken $noTenant -TenantId $DemoTenantId -GraphEndpoint $Emulator.BaseUri -PassThru
        $connection.TenantId | Should -Be $DemoTenantId
    }

    It 'refuses a -TenantId that contradicts the token' {
        { Connect-SupportAccess -AccessToken (New-SecureToken) -TenantId ([guid]::NewGuid()) -GraphEndpoint $Emulator.BaseUri } |
            Should -Throw -ExpectedMessage '*tenant*'
    }

    It 'authenticates its audit requests to the Graph endpoint it was given' {
        Connect-SupportAccess -AccessToken (New-SecureToken) -GraphEndpoint $Emulator.BaseUri
        @(Get-SupportAccessActivity -First 1 -WarningAction SilentlyContinue).Count | Should -Be 1
        $requests = Get-EmulatorRequest -Emulator $Emulator
        $audit = @($requests | Where-Object path -EQ '/v1.0/auditLogs/directoryAudits')
        $audit.Count | Should -Be 1
        $audit[0].authorized | Should -BeTrue
    }
}

Describe 'Disconnect-SupportAccess' {
    It 'leaves the session unconnected, so queries stop with NotConnected and send nothing' {
        Connect-SupportAccess -AccessToken (New-SecureToken) -GraphEndpoint $Emulator.BaseUri
        Disconnect-SupportAccess
        Clear-EmulatorRequestLog -Emulator $Emulator
        { Get-SupportAccessActivity } |
            Should -Throw -ErrorId 'NotConnected,SupportAccessLogs.Commands.GetSupportAccessActivityCommand'
        Get-EmulatorRequestCount -Emulator $Emulator | Should -Be 0
    }
}
