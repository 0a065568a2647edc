#Requires -Version 7.4
# Every sign-in of Connect-SupportAccess, for real: Azure.Identity inside the built module talks to
# the emulator's Entra-compatible authority over HTTPS. Each flow runs in a fresh pwsh that trusts
# the emulator's test CA through SSL_CERT_FILE (the platform trust setting; the module has no
# "accept any certificate" switch), with a transcript and every stream captured, so the tests can
# also prove that no secret appears anywhere.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    $script:ModuleManifest = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1'))

    # The emulator's registered identities (tests/GraphEmulator/DemoTenant.cs).
    $script:TenantId = '6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f'
    $script:PipelineAppId = '8e3f1b2a-4c5d-4e6f-9a7b-1c2d3e4f5a6b'
    $script:SystemIdentityClientId = '4b1d8f3e-6a2c-4e9b-a7d5-0c3e5f7a9b1d'
    $script:UserIdentityClientId = 'a3c5e7f9-1b2d-4f6a-8c0e-2d4f6a8c0e1b'
    $script:PublicClientId = '14d82eec-204b-4c2f-b7e8-296a70dab67e'

    # Secrets made for this run only, so a leak can be searched for exactly.
    $script:ClientSecret = "sal-secret-$([guid]::NewGuid().ToString('N'))"
    $script:IdentityHeader = "sal-identity-$([guid]::NewGuid().ToString('N'))"
    $script:CertificatePassword = "sal-pfx-$([guid]::NewGuid().ToString('N'))"

    function script:New-TestCertificate([string] $Subject) {
        $rsa = [System.Security.Cryptography.RSA]::Create(2048)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new(
            "CN=$Subject", $rsa, [System.Security.Cryptography.HashAlgorithmName]::SHA256,
            [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $request.CreateSelfSigned([datetimeoffset]::UtcNow.AddHours(-1), [datetimeoffset]::UtcNow.AddDays(2))
    }

    $script:Work = Join-Path $TestDrive 'signin'
    New-Item -ItemType Directory -Path $Work | Out-Null

    $registered = New-TestCertificate 'SupportAccessLogs pipeline'
    $script:RegisteredThumbprint = $registered.Thumbprint
    $script:RegisteredPfx = Join-Path $Work 'registered.pfx'
    [System.IO.File]::WriteAllBytes($RegisteredPfx, $registered.Export('Pfx', $CertificatePassword))
    $registeredCer = Join-Path $Work 'registered.cer'
    [System.IO.File]::WriteAllBytes($registeredCer, $registered.Export('Cert'))

    $unregistered = New-TestCertificate 'Not on the app registration'
    $script:UnregisteredPfx = Join-Path $Work 'unregistered.pfx'
    [System.IO.File]::WriteAllBytes($UnregisteredPfx, $unregistered.Export('Pfx', $CertificatePassword))

    $caPath = Join-Path $Work 'emulator-ca.pem'
    $script:Emulator = Start-GraphEmulator -Authority -AuthorityCaPath $caPath -ClientSecret $ClientSecret `
        -ClientCertificatePath $registeredCer -IdentityHeader $IdentityHeader

    # The machine's own roots plus the emulator's test CA, for the child processes only.
    $script:TrustBundle = Join-Path $Work 'trust.pem'
    $systemBundle = '/etc/ssl/certs/ca-certificates.crt'
    $roots = if (Test-Path -LiteralPath $systemBundle) { Get-Content -LiteralPath $systemBundle -Raw } else { '' }
    Set-Content -LiteralPath $TrustBundle -Value ($roots + "`n" + (Get-Content -LiteralPath $caPath -Raw)) -NoNewline

    $script:Truth = Get-EmulatorTruth -Emulator $Emulator

    function script:Get-TokenRequests {
        Get-EmulatorTokenRequest -Emulator $Emulator
    }

    function script:Clear-TokenRequests {
        Invoke-RestMethod -Method Delete -Uri ([uri]::new($Emulator.BaseUri, '_emulator/token-requests')) | Out-Null
    }

    <#
    Runs Connect-SupportAccess with the given arguments in a fresh pwsh, then one query. Returns
    what it connected as (or the error), the count the query returned, and everything it wrote.
    #>
    function script:Invoke-SignInFlow {
        param(
            [Parameter(Mandatory)] [string] $Connect,
            [string] $Before = '',
            [hashtable] $Environment = @{},
            [object] $Emulator = $script:Emulator
        )
        $id = [guid]::NewGuid().ToString('N')
        $transcript = Join-Path $Work "transcript-$id.txt"
        $resultPath = Join-Path $Work "result-$id.json"
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModuleManifest'
Start-Transcript -LiteralPath '$transcript' | Out-Null
`$VerbosePreference = 'Continue'
`$DebugPreference = 'Continue'
`$InformationPreference = 'Continue'
`$graph = '$($Emulator.BaseUri)'
`$authority = '$($Emulator.AuthorityUri)'
try {
    $Before
    $Connect
    `$connection = Get-SupportAccessConnection -Current
    `$connection | Format-List | Out-String | Write-Output
    `$activities = @(Get-SupportAccessActivity -WarningAction SilentlyContinue)
    [pscustomobject]@{ Count = `$activities.Count; Method = `$connection.AuthenticationMethod; Account = `$connection.Account; TenantId = "`$(`$connection.TenantId)"; ExpiresOn = `$connection.ExpiresOn } |
        ConvertTo-Json -Compress | Set-Content -LiteralPath '$resultPath'
}
catch {
    [pscustomobject]@{ ErrorId = `$_.FullyQualifiedErrorId; Category = "`$(`$_.CategoryInfo.Category)"; Message = `$_.Exception.Message } |
        ConvertTo-Json -Compress | Set-Content -LiteralPath '$resultPath'
    `$_ | Out-String | Write-Output
    # The whole error record and its exception chain are part of what a user can see.
    `$_ | Format-List * -Force | Out-String | Write-Output
    for (`$e = `$_.Exception; `$e; `$e = `$e.InnerException) { `$e.ToString() | Write-Output }
}
finally {
    Stop-Transcript | Out-Null
}
"@
        $childEnvironment = @{ SSL_CERT_FILE = $TrustBundle }
        foreach ($name in $Environment.Keys) { $childEnvironment[$name] = $Environment[$name] }
        $run = Invoke-ChildPwsh -Script $script -Environment $childEnvironment
        $result = if (Test-Path -LiteralPath $resultPath) { Get-Content -LiteralPath $resultPath -Raw | ConvertFrom-Json } else { $null }
        [pscustomobject]@{
            Result = $result
            # Everything the user could have seen or kept.
            Text   = $run.Output + $run.Error + $(if (Test-Path -LiteralPath $transcript) { Get-Content -LiteralPath $transcript -Raw })
            Run    = $run
        }
    }

    function script:Assert-NoSecret([string] $Text) {
        foreach ($secret in $ClientSecret, $IdentityHeader, $CertificatePassword) {
            $Text | Should -Not -Match ([regex]::Escape($secret))
        }
        # No bearer token either: an unsigned test JWT starts with the base64 of {"alg":"none"...
        $Text | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}'
        $Text | Should -Not -Match 'Bearer '
    }
}

AfterAll {
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Connect-SupportAccess sign-in flows' {
    BeforeEach {
        Clear-TokenRequests
    }

    It 'client secret (pipelines): connects, queries, and the authority saw a client_credentials grant' {
        $flow = Invoke-SignInFlow -Environment @{ SAL_SECRET = $ClientSecret } -Connect @'
$credential = [pscredential]::new('8e3f1b2a-4c5d-4e6f-9a7b-1c2d3e4f5a6b', (ConvertTo-SecureString $env:SAL_SECRET -AsPlainText -Force))
Connect-SupportAccess -ClientSecretCredential $credential -TenantId 6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f -GraphEndpoint $graph -AuthorityHost $authority
'@
        $flow.Result.Count | Should -Be $Truth.total -Because $flow.Text
        $flow.Result.Method | Should -Be 'ClientSecret'
        $flow.Result.TenantId | Should -Be $TenantId
        $grant = Get-TokenRequests | Where-Object grantType -EQ 'client_credentials'
        @($grant).Count | Should -Be 1
        $grant.clientId | Should -Be $PipelineAppId
        $grant.scope | Should -Be 'https://graph.microsoft.com/.default'
        $grant.credentialKind | Should -Be 'secret'
        Assert-NoSecret $flow.Text
    }

    It 'a credential gets the Log Analytics token by itself when -WorkspaceId first needs it (<Name>)' -ForEach @(
        @{ Name = 'client secret'; Connect = @'
$credential = [pscredential]::new('8e3f1b2a-4c5d-4e6f-9a7b-1c2d3e4f5a6b', (ConvertTo-SecureString $env:SAL_SECRET -AsPlainText -Force))
Connect-SupportAccess -ClientSecretCredential $credential -TenantId 6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f -GraphEndpoint $graph -AuthorityHost $authority -LogAnalyticsEndpoint $graph
'@; Kind = 'secret' }
        @{ Name = 'managed identity'; Connect = 'Connect-SupportAccess -Identity -GraphEndpoint $graph -LogAnalyticsEndpoint $graph'; Kind = 'managed_identity' }
    ) {
        $environment = if ($Kind -eq 'secret') { @{ SAL_SECRET = $ClientSecret } } else {
            @{ IDENTITY_ENDPOINT = [uri]::new($Emulator.BaseUri, 'msi/token').AbsoluteUri; IDENTITY_HEADER = $IdentityHeader }
        }
        $flow = Invoke-SignInFlow -Environment $environment -Connect ($Connect + @'

$history = @(Get-SupportAccessActivity -WorkspaceId b4c6d8e0-2f1a-4b3c-9d5e-7f8a9b0c1d2e -StartTime ([datetime]::UtcNow.AddDays(-60)) -WarningAction SilentlyContinue)
'LOGANALYTICS: ' + $history.Count
'@)
        $flow.Result.Count | Should -Be $Truth.total -Because $flow.Text
        $count = [regex]::Match($flow.Text, 'LOGANALYTICS: (\d+)')
        $count.Success | Should -BeTrue -Because $flow.Text
        [int]$count.Groups[1].Value | Should -BeGreaterThan $Truth.total -Because 'sixty days hold more than Graph''s thirty'
        $scopes = @(Get-TokenRequests | Where-Object credentialKind -EQ $Kind | ForEach-Object { "$($_.scope)$($_.resource)" })
        ($scopes -join ' ') | Should -Match 'api\.loganalytics\.io'
        Assert-NoSecret $flow.Text
    }

    It 'a wrong client secret is an AuthenticationError that names AADSTS7000215 and the fix' {
        $flow = Invoke-SignInFlow -Connect @'
$credential = [pscredential]::new('8e3f1b2a-4c5d-4e6f-9a7b-1c2d3e4f5a6b', (ConvertTo-SecureString 'wrong-secret-value' -AsPlainText -Force))
Connect-SupportAccess -ClientSecretCredential $credential -TenantId 6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f -GraphEndpoint $graph -AuthorityHost $authority
'@
        $flow.Result.Category | Should -Be 'AuthenticationError'
        $flow.Result.ErrorId | Should -BeLike 'SignInFailed,*'
        $flow.Result.Message | Should -Match 'AADSTS7000215'
        $flow.Result.Message | Should -Match 'secret'
        $flow.Text | Should -Not -Match 'wrong-secret-value'
        $flow.Text | Should -Not -Match '   at (Azure|Microsoft\.Identity)\.' -Because 'no stack trace reaches the user'
    }

    It 'an authority whose TLS certificate this machine does not trust is an AuthenticationError that says so' {
        $untrusting = Join-Path $Work 'no-test-ca.pem'
        $systemBundle = '/etc/ssl/certs/ca-certificates.crt'
        Set-Content -LiteralPath $untrusting -Value $(if (Test-Path -LiteralPath $systemBundle) { Get-Content -LiteralPath $systemBundle -Raw } else { '' }) -NoNewline
        $flow = Invoke-SignInFlow -Environment @{ SSL_CERT_FILE = $untrusting; SAL_SECRET = $ClientSecret } -Connect @'
$credential = [pscredential]::new('8e3f1b2a-4c5d-4e6f-9a7b-1c2d3e4f5a6b', (ConvertTo-SecureString $env:SAL_SECRET -AsPlainText -Force))
Connect-SupportAccess -ClientSecretCredential $credential -TenantId 6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f -GraphEndpoint $graph -AuthorityHost $authority
'@
        $flow.Result.Category | Should -Be 'AuthenticationError'
        $flow.Result.Message | Should -Match 'TLS certificate is not trusted'
        Get-TokenRequests | Should -BeNullOrEmpty
        Assert-NoSecret $flow.Text
    }

    It 'certificate from a PFX path with a password' {
        $flow = Invoke-SignInFlow -Environment @{ SAL_PFX = $RegisteredPfx; SAL_PFX_PASSWORD = $CertificatePassword } -Connect @'
$password = ConvertTo-SecureString $env:SAL_PFX_PASSWORD -AsPlainText -Force
Connect-SupportAccess -CertificatePath $env:SAL_PFX -CertificatePassword $password -ClientId 8e3f1b2a-4c5d-4e6f-9a7b-1c2d3e4f5a6b -TenantId 6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f -GraphEndpoint $graph -AuthorityHost $authority
'@
        $flow.Result.Count | Should -Be $Truth.total -Because $flow.Text
        $flow.Result.Method | Should -Be 'Certificate'
        $grant = Get-TokenRequests | Where-Object grantType -EQ 'client_credentials'
        $grant.credentialKind | Should -Be 'certificate'
        $grant.clientId | Should -Be $PipelineAppId
        Assert-NoSecret $flow.Text
    }

    It 'certificate by thumbprint from the CurrentUser store' {
        # A private HOME gives the child its own CurrentUser store (.NET keeps it under HOME on Linux and macOS).
        $privateHome = Join-Path $Work "home-$([guid]::NewGuid().ToString('N'))"
        New-Item -ItemType Directory -Path $privateHome | Out-Null
        $flow = Invoke-SignInFlow -Environment @{ HOME = $privateHome; SAL_PFX = $RegisteredPfx; SAL_PFX_PASSWORD = $CertificatePassword } -Before @'
$store = [System.Security.Cryptography.X509Certificates.X509Store]::new('My', 'CurrentUser')
$store.Open('ReadWrite')
$store.Add([System.Security.Cryptography.X509Certificates.X509Certificate2]::new($env:SAL_PFX, $env:SAL_PFX_PASSWORD, 'PersistKeySet,Exportable'))
$store.Close()
'@ -Connect "Connect-SupportAccess -CertificateThumbprint $RegisteredThumbprint -ClientId $PipelineAppId -TenantId $TenantId -GraphEndpoint `$graph -AuthorityHost `$authority"
        $flow.Result.Count | Should -Be $Truth.total -Because $flow.Text
        (Get-TokenRequests | Where-Object grantType -EQ 'client_credentials').credentialKind | Should -Be 'certificate'
        Assert-NoSecret $flow.Text
    }

    It 'certificate object (-Certificate)' {
        $flow = Invoke-SignInFlow -Environment @{ SAL_PFX = $RegisteredPfx; SAL_PFX_PASSWORD = $CertificatePassword } -Connect @'
$certificate = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($env:SAL_PFX, $env:SAL_PFX_PASSWORD)
Connect-SupportAccess -Certificate $certificate -ClientId 8e3f1b2a-4c5d-4e6f-9a7b-1c2d3e4f5a6b -TenantId 6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f -GraphEndpoint $graph -AuthorityHost $authority
'@
        $flow.Result.Count | Should -Be $Truth.total -Because $flow.Text
        (Get-TokenRequests | Where-Object grantType -EQ 'client_credentials').credentialKind | Should -Be 'certificate'
    }

    It 'a certificate not registered on the app is an AuthenticationError that names AADSTS700027' {
        $flow = Invoke-SignInFlow -Environment @{ SAL_PFX = $UnregisteredPfx; SAL_PFX_PASSWORD = $CertificatePassword } -Connect @'
$password = ConvertTo-SecureString $env:SAL_PFX_PASSWORD -AsPlainText -Force
Connect-SupportAccess -CertificatePath $env:SAL_PFX -CertificatePassword $password -ClientId 8e3f1b2a-4c5d-4e6f-9a7b-1c2d3e4f5a6b -TenantId 6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f -GraphEndpoint $graph -AuthorityHost $authority
'@
        $flow.Result.Category | Should -Be 'AuthenticationError'
        $flow.Result.Message | Should -Match 'AADSTS700027'
        $flow.Result.Message | Should -Match 'public key'
        Assert-NoSecret $flow.Text
    }

    It 'managed identity, system-assigned (Azure Automation: IDENTITY_ENDPOINT + IDENTITY_HEADER)' {
        $flow = Invoke-SignInFlow -Environment @{
            IDENTITY_ENDPOINT = [uri]::new($Emulator.BaseUri, 'msi/token').AbsoluteUri
            IDENTITY_HEADER   = $IdentityHeader
        } -Connect 'Connect-SupportAccess -Identity -GraphEndpoint $graph'
        $flow.Result.Count | Should -Be $Truth.total -Because $flow.Text
        $flow.Result.Method | Should -Be 'ManagedIdentity'
        $flow.Result.TenantId | Should -Be $TenantId
        $request = Get-TokenRequests | Where-Object credentialKind -EQ 'managed_identity'
        @($request).Count | Should -Be 1
        $request.clientId | Should -Be $SystemIdentityClientId
        $request.scope | Should -Match '^https://graph\.microsoft\.com'
        Assert-NoSecret $flow.Text
    }

    It 'managed identity, user-assigned by -ClientId' {
        $flow = Invoke-SignInFlow -Environment @{
            IDENTITY_ENDPOINT = [uri]::new($Emulator.BaseUri, 'msi/token').AbsoluteUri
            IDENTITY_HEADER   = $IdentityHeader
        } -Connect "Connect-SupportAccess -Identity -ClientId $UserIdentityClientId -GraphEndpoint `$graph"
        $flow.Result.Count | Should -Be $Truth.total -Because $flow.Text
        (Get-TokenRequests | Where-Object credentialKind -EQ 'managed_identity').clientId | Should -Be $UserIdentityClientId
    }

    It 'managed identity where none is available says so plainly' {
        $flow = Invoke-SignInFlow -Environment @{
            IDENTITY_ENDPOINT = 'http://127.0.0.1:9/msi/token'
            IDENTITY_HEADER   = $IdentityHeader
        } -Connect 'Connect-SupportAccess -Identity -GraphEndpoint $graph'
        $flow.Result.Category | Should -Be 'AuthenticationError'
        $flow.Result.Message | Should -Match 'managed identity'
        Assert-NoSecret $flow.Text
    }

    It 'federated token file (GitHub Actions / Azure DevOps OIDC)' {
        $assertionFile = Join-Path $Work 'federated-token'
        $assertion = Invoke-RestMethod -Uri ([uri]::new($Emulator.BaseUri, '_emulator/federated-assertion'))
        Set-Content -LiteralPath $assertionFile -Value $(if ($assertion.assertion) { $assertion.assertion } else { $assertion }) -NoNewline
        $flow = Invoke-SignInFlow -Connect "Connect-SupportAccess -FederatedTokenFile '$assertionFile' -ClientId $PipelineAppId -TenantId $TenantId -GraphEndpoint `$graph -AuthorityHost `$authority"
        $flow.Result.Count | Should -Be $Truth.total -Because $flow.Text
        $flow.Result.Method | Should -Be 'FederatedToken'
        $grant = Get-TokenRequests | Where-Object grantType -EQ 'client_credentials'
        $grant.credentialKind | Should -Be 'federated'
        $grant.clientId | Should -Be $PipelineAppId
        Assert-NoSecret $flow.Text
    }

    It 'workload identity from the standard AZURE_* environment (Kubernetes)' {
        $assertionFile = Join-Path $Work 'workload-token'
        $assertion = Invoke-RestMethod -Uri ([uri]::new($Emulator.BaseUri, '_emulator/federated-assertion'))
        Set-Content -LiteralPath $assertionFile -Value $(if ($assertion.assertion) { $assertion.assertion } else { $assertion }) -NoNewline
        $flow = Invoke-SignInFlow -Environment @{
            AZURE_FEDERATED_TOKEN_FILE = $assertionFile
            AZURE_CLIENT_ID            = $PipelineAppId
            AZURE_TENANT_ID            = $TenantId
        } -Connect 'Connect-SupportAccess -WorkloadIdentity -GraphEndpoint $graph -AuthorityHost $authority'
        $flow.Result.Count | Should -Be $Truth.total -Because $flow.Text
        (Get-TokenRequests | Where-Object grantType -EQ 'client_credentials').credentialKind | Should -Be 'federated'
    }

    It 'device code: the code reaches the user on the warning stream, then sign-in completes after polling' {
        $flow = Invoke-SignInFlow -Connect "Connect-SupportAccess -UseDeviceCode -TenantId $TenantId -GraphEndpoint `$graph -AuthorityHost `$authority -WarningVariable deviceCodeWarnings`n`$deviceCodeWarnings | ForEach-Object { 'DEVICECODE: ' + `$_.Message }"
        $flow.Result.Count | Should -Be $Truth.total -Because $flow.Text
        $flow.Result.Method | Should -Be 'DeviceCode'
        $flow.Result.Account | Should -Be 'admin@contoso.onmicrosoft.com'
        $flow.Text | Should -Match 'DEVICECODE: .*devicelogin'
        $requests = Get-TokenRequests
        @($requests | Where-Object endpoint -EQ 'devicecode').clientId | Should -Be $PublicClientId
        $polls = @($requests | Where-Object grantType -Like '*device_code')
        $polls.Count | Should -BeGreaterOrEqual 2 -Because 'the first poll is answered authorization_pending'
        $polls[-1].scope | Should -Match 'https://graph\.microsoft\.com/AuditLog\.Read\.All'
        $polls[-1].scope | Should -Match 'https://graph\.microsoft\.com/Directory\.Read\.All'
    }

    It 'Azure CLI (a pipeline step after az login): asks az for a Graph token' {
        $stub = Join-Path $Work "az-stub-$([guid]::NewGuid().ToString('N'))"
        New-Item -ItemType Directory -Path $stub | Out-Null
        $token = Get-EmulatorToken -Emulator $Emulator
        $expires = [datetimeoffset]::UtcNow.AddHours(1)
        @{
            accessToken = $token
            expiresOn   = $expires.LocalDateTime.ToString('yyyy-MM-dd HH:mm:ss.ffffff')
            expires_on  = $expires.ToUnixTimeSeconds()
            tenant      = $TenantId
            tokenType   = 'Bearer'
        } | ConvertTo-Json | Set-Content -LiteralPath (Join-Path $stub 'response.json')
        $log = Join-Path $stub 'calls.log'
        Set-Content -LiteralPath (Join-Path $stub 'az') -Value "#!/bin/sh`nprintf '%s\n' `"`$*`" >> '$log'`ncat '$(Join-Path $stub 'response.json')'`n"
        & chmod +x (Join-Path $stub 'az')

        $flow = Invoke-SignInFlow -Environment @{ PATH = "$stub$([System.IO.Path]::PathSeparator)$env:PATH" } `
            -Connect 'Connect-SupportAccess -UseAzureCli -GraphEndpoint $graph'
        $flow.Result.Count | Should -Be $Truth.total -Because $flow.Text
        $flow.Result.Method | Should -Be 'AzureCli'
        $calls = Get-Content -LiteralPath $log
        $calls | Should -Match 'account get-access-token'
        $calls | Should -Match 'https://graph\.microsoft\.com'
        Assert-NoSecret $flow.Text
    }

    It 'interactive browser is the default parameter set and takes -ClientId and -TenantId' {
        Import-Module $ModuleManifest -Force
        $command = Get-Command Connect-SupportAccess
        $command.DefaultParameterSet | Should -Be 'Interactive'
        $interactive = $command.ParameterSets | Where-Object Name -EQ 'Interactive'
        $interactive.Parameters.Name | Should -Contain 'ClientId'
        $interactive.Parameters.Name | Should -Contain 'TenantId'
        $interactive.Parameters.Name | Should -Contain 'AuthorityHost'
    }

    It 'an http -AuthorityHost is refused before anything is sent' {
        $flow = Invoke-SignInFlow -Connect "Connect-SupportAccess -UseDeviceCode -TenantId $TenantId -GraphEndpoint `$graph -AuthorityHost 'http://login.contoso.example/'"
        $flow.Result.ErrorId | Should -BeLike 'AuthorityHostNotHttps,*'
        Get-TokenRequests | Should -BeNullOrEmpty
    }
}

Describe 'Token lifetime' {
    It 'a credential-based connection renews its token by itself during a long run' {
        $shortLived = Start-GraphEmulator -Authority -AuthorityCaPath (Join-Path $Work 'short-ca.pem') -ClientSecret $ClientSecret -TokenLifetimeSeconds 302
        try {
            $bundle = Join-Path $Work 'short-trust.pem'
            Set-Content -LiteralPath $bundle -Value (Get-Content -LiteralPath (Join-Path $Work 'short-ca.pem') -Raw) -NoNewline
            # A token that lives 302 s is inside MSAL's five-minute margin two seconds after it is issued.
            $flow = Invoke-SignInFlow -Emulator $shortLived -Environment @{ SAL_SECRET = $ClientSecret; SSL_CERT_FILE = $bundle } -Connect @'
$credential = [pscredential]::new('8e3f1b2a-4c5d-4e6f-9a7b-1c2d3e4f5a6b', (ConvertTo-SecureString $env:SAL_SECRET -AsPlainText -Force))
Connect-SupportAccess -ClientSecretCredential $credential -TenantId 6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f -GraphEndpoint $graph -AuthorityHost $authority
Start-Sleep -Seconds 3
'@
            $flow.Result.Count | Should -Be $Truth.total -Because $flow.Text
            $grants = @(Get-EmulatorTokenRequest -Emulator $shortLived | Where-Object grantType -EQ 'client_credentials')
            $grants.Count | Should -BeGreaterOrEqual 2 -Because 'the token was renewed without reconnecting'
        }
        finally {
            Stop-GraphEmulator -Emulator $shortLived
        }
    }

    It 'a credential-based connection comes through a 401 mid-run by signing in again' {
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'expired401'; page = 1 }
        try {
            $flow = Invoke-SignInFlow -Environment @{ SAL_SECRET = $ClientSecret } -Connect @'
$credential = [pscredential]::new('8e3f1b2a-4c5d-4e6f-9a7b-1c2d3e4f5a6b', (ConvertTo-SecureString $env:SAL_SECRET -AsPlainText -Force))
Connect-SupportAccess -ClientSecretCredential $credential -TenantId 6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f -GraphEndpoint $graph -AuthorityHost $authority
'@
            $flow.Result.Count | Should -Be $Truth.total -Because $flow.Text
            $flow.Text | Should -Match 'refused the token on page 1; signing in again'
            @(Get-EmulatorRequest -Emulator $Emulator | Where-Object fault -EQ 'expired401').Count | Should -Be 1
        }
        finally {
            Set-EmulatorFault -Emulator $Emulator -Fault @()
        }
    }

    It 'an -AccessToken connection whose token expires mid-run stops with a clear error and keeps what was written' {
        $slowPages = Start-GraphEmulator -PageSize 10
        try {
            # An unsigned test JWT that expires four seconds from now.
            $now = [datetimeoffset]::UtcNow.ToUnixTimeSeconds()
            $jwt = New-UnsignedJwt @{
                aud = 'https://graph.microsoft.com'; tid = $TenantId; upn = 'admin@contoso.onmicrosoft.com'
                scp = 'AuditLog.Read.All Directory.Read.All'; iat = $now; nbf = $now; exp = $now + 4
            }
            Import-Module $ModuleManifest -Force
            Connect-SupportAccess -AccessToken ($jwt | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $slowPages.BaseUri

            $received = [System.Collections.Generic.List[object]]::new()
            $failure = $null
            try {
                Get-SupportAccessActivity -WarningAction SilentlyContinue |
                    ForEach-Object { $received.Add($_); Start-Sleep -Milliseconds 150 }
            }
            catch {
                $failure = $_
            }

            $failure | Should -Not -BeNullOrEmpty
            $failure.FullyQualifiedErrorId | Should -BeLike 'AccessTokenExpired,*'
            $failure.Exception.Message | Should -Match 'expired at .* UTC'
            $failure.Exception.Message | Should -Match 'Connect-SupportAccess'
            $received.Count | Should -BeGreaterOrEqual 10
            $received.Count | Should -BeLessThan $Truth.total
            @($received.Id | Sort-Object -Unique).Count | Should -Be $received.Count
        }
        finally {
            Disconnect-SupportAccess
            Stop-GraphEmulator -Emulator $slowPages
        }
    }
}
