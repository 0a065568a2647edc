#Requires -Version 7.4
# Connect-SupportAccess -TenantId with several tenants (issue 13), for real: Azure.Identity in the
# built module against the emulator's authority, which serves the home tenant and four customers
# (Fabrikam: all works; Woodgrove: the app not consented; Northwind: the admin has no reader role;
# Tailspin: the admin has no access). Each flow runs in a fresh pwsh that trusts the emulator's CA.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    $script:ModuleManifest = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1'))
    Import-Module $ModuleManifest -Force
    $script:Home_ = '6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f'
    $script:Fabrikam = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
    $script:Woodgrove = 'c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f'
    $script:Northwind = '3e7a9c1b-5d2f-4b8e-a6c4-0f2e4d6b8a13'
    $script:Tailspin = 'b5d7f9a1-3c2e-4f6a-8b0d-1e3f5a7c9d24'
    $script:PipelineAppId = '8e3f1b2a-4c5d-4e6f-9a7b-1c2d3e4f5a6b'
    $script:ClientSecret = "sal-secret-$([guid]::NewGuid().ToString('N'))"

    $script:Work = Join-Path $TestDrive 'tenants'
    New-Item -ItemType Directory -Path $Work | Out-Null
    $caPath = Join-Path $Work 'emulator-ca.pem'
    $script:Emulator = Start-GraphEmulator -Authority -AuthorityCaPath $caPath -ClientSecret $ClientSecret -CustomerTenants
    $script:TrustBundle = Join-Path $Work 'trust.pem'
    $systemBundle = '/etc/ssl/certs/ca-certificates.crt'
    $roots = if (Test-Path -LiteralPath $systemBundle) { Get-Content -LiteralPath $systemBundle -Raw } else { '' }
    Set-Content -LiteralPath $TrustBundle -Value ($roots + "`n" + (Get-Content -LiteralPath $caPath -Raw)) -NoNewline
    $script:Count = @{}
    foreach ($tenant in $Home_, $Fabrikam, $Northwind) { $Count[$tenant] = (Get-EmulatorTruth -Emulator $Emulator -TenantId $tenant).total }

    # Connects with the given command in a fresh pwsh, then reads every connection made; returns
    # what connected, failed and was read, and everything the user could have seen.
    function script:Invoke-TenantsFlow([string] $Connect) {
        $resultPath = Join-Path $Work "result-$([guid]::NewGuid().ToString('N')).json"
        $script = @"
`$ErrorActionPreference = 'Continue'
Import-Module '$ModuleManifest'
`$graph = '$($Emulator.BaseUri)'
`$authority = '$($Emulator.AuthorityUri)'
`$connections = @($Connect -PassThru -ErrorVariable connectErrors -ErrorAction SilentlyContinue -WarningVariable connectWarnings -WarningAction SilentlyContinue)
`$activities = @(Get-SupportAccessConnection | Get-SupportAccessActivity -ErrorVariable readErrors -ErrorAction SilentlyContinue -WarningVariable readWarnings -WarningAction SilentlyContinue)
[pscustomobject]@{
    Connected     = @(`$connections | ForEach-Object { "`$(`$_.TenantId)" })
    Listed        = @(Get-SupportAccessConnection | ForEach-Object { "`$(`$_.TenantId)" })
    ConnectErrors = @(`$connectErrors | ForEach-Object { "`$_" })
    ConnectWarnings = @(`$connectWarnings | ForEach-Object { "`$_" })
    ReadByTenant  = @(`$activities | Group-Object TenantId | ForEach-Object { [pscustomobject]@{ TenantId = `$_.Name; Count = `$_.Count; Distinct = @(`$_.Group.Id | Sort-Object -Unique).Count } })
    ReadErrors    = @(`$readErrors | ForEach-Object { [pscustomobject]@{ Message = "`$_"; Category = "`$(`$_.CategoryInfo.Category)" } })
    ReadWarnings  = @(`$readWarnings | ForEach-Object { "`$_" })
} | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath '$resultPath'
"@
        Invoke-RestMethod -Method Delete -Uri ([uri]::new($Emulator.BaseUri, '_emulator/token-requests')) | Out-Null
        $run = Invoke-ChildPwsh -Script $script -Environment @{ SSL_CERT_FILE = $TrustBundle; SAL_SECRET = $ClientSecret }
        if (-not (Test-Path -LiteralPath $resultPath)) { throw "The flow wrote no result: $($run.Output) $($run.Error)" }
        $result = Get-Content -LiteralPath $resultPath -Raw | ConvertFrom-Json
        $result | Add-Member -NotePropertyName Text -NotePropertyValue ($run.Output + $run.Error + (Get-Content -LiteralPath $resultPath -Raw))
        $result
    }

    function script:Assert-ReadWhole($Result, [string[]] $Tenants) {
        @($Result.ReadByTenant.TenantId | Sort-Object) | Should -Be @($Tenants | Sort-Object)
        foreach ($tenant in $Tenants) {
            $read = $Result.ReadByTenant | Where-Object TenantId -EQ $tenant
            $read.Count | Should -Be $Count[$tenant] -Because "tenant $tenant's records all come out"
            $read.Distinct | Should -Be $read.Count -Because "each of tenant $tenant's records comes out once"
        }
    }
}

AfterAll {
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Connect-SupportAccess -TenantId with several tenants' {
    It 'an app with a client secret gets a connection per consented tenant, and an error names the one that is not' {
        $result = Invoke-TenantsFlow "Connect-SupportAccess -ClientSecretCredential ([pscredential]::new('$PipelineAppId', (ConvertTo-SecureString `$env:SAL_SECRET -AsPlainText -Force))) -TenantId $Home_, $Fabrikam, $Woodgrove, $Northwind -GraphEndpoint `$graph -AuthorityHost `$authority"

        $result.Connected | Should -Be @($Home_, $Fabrikam, $Northwind)
        $result.Listed | Should -Be @($Home_, $Fabrikam, $Northwind)
        $result.ConnectErrors.Count | Should -Be 1
        $result.ConnectErrors[0] | Should -BeLike "Tenant $Woodgrove*AADSTS700016*"
        $result.ConnectWarnings | Should -Contain "Connected to 3 of 4 tenants; not to $Woodgrove (see the errors)."
        # The app reads each of them, Northwind too (its admin lacks a role, the app does not).
        Assert-ReadWhole $result $Home_, $Fabrikam, $Northwind
        $result.ReadErrors | Should -BeNullOrEmpty
        $client = @(Get-EmulatorTokenRequest -Emulator $Emulator | Where-Object grantType -EQ 'client_credentials')
        @($client.tenant | Sort-Object -Unique) | Should -Be @($Home_, $Fabrikam, $Woodgrove, $Northwind | Sort-Object)
        $result.Text | Should -Not -Match ([regex]::Escape($ClientSecret))
    }

    It 'a signed-in admin signs in once (one device code) and gets each other tenant''s token silently, or that tenant''s error' {
        $result = Invoke-TenantsFlow "Connect-SupportAccess -UseDeviceCode -TenantId $Home_, $Fabrikam, $Tailspin, $Northwind -GraphEndpoint `$graph -AuthorityHost `$authority"

        $result.Connected | Should -Be @($Home_, $Fabrikam, $Northwind)
        $result.ConnectErrors.Count | Should -Be 1
        $result.ConnectErrors[0] | Should -BeLike "Tenant $Tailspin*AADSTS50020*"
        $requests = @(Get-EmulatorTokenRequest -Emulator $Emulator)
        @($requests | Where-Object endpoint -EQ 'devicecode').Count | Should -Be 1 -Because 'one sign-in serves every tenant'
        # Northwind's admin holds no reader role: that tenant fails its role check, the others are read.
        Assert-ReadWhole $result $Home_, $Fabrikam
        $result.ReadErrors.Count | Should -Be 1
        $result.ReadErrors[0].Message | Should -BeLike "Tenant $Northwind*"
        $result.ReadErrors[0].Category | Should -Be 'PermissionDenied'
        $result.ReadWarnings | Where-Object { $_ -like '2 of 3 tenants were read*' } | Should -Not -BeNullOrEmpty
    }

    It 'refuses several tenants where one token or identity can only be for one' {
        $token = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
        { Connect-SupportAccess -AccessToken $token -TenantId $Home_, $Fabrikam -GraphEndpoint $Emulator.BaseUri } | Should -Throw -ErrorId 'OneTenantOnly,*'
        { Connect-SupportAccess -Identity -TenantId $Home_, $Fabrikam -GraphEndpoint $Emulator.BaseUri } | Should -Throw '*managed identity belongs to one tenant*'
    }
}
