#Requires -Version 7.4
# Records in the shapes Graph really writes, and what a hostile or broken endpoint can and can't
# make the module do (issue: real record shapes and hardening).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force
    $script:Emulator = Start-GraphEmulator -PageSize 20
    $script:ZeroId = '00000000-0000-0000-0000-000000000000'

    function script:Connect-Demo {
        $token = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
        Connect-SupportAccess -AccessToken $token -GraphEndpoint $Emulator.BaseUri
    }

    # Read from the raw record, not from our own classification: does Graph's placeholder stand
    # where the initiating user should be?
    function script:Test-PlaceholderUser($Activity) {
        $user = ($Activity.GetRawRecord() | ConvertFrom-Json).initiatedBy.user
        $null -ne $user -and $user.id -eq $ZeroId -and [string]::IsNullOrWhiteSpace($user.userPrincipalName)
    }
}

AfterAll {
    Disconnect-SupportAccess
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Graph''s placeholder user for service actions' {
    BeforeAll {
        Connect-Demo
        $script:Verbose = @()
        $script:All = @(Get-SupportAccessActivity -RequestsPer10Seconds 0 -Verbose -WarningAction SilentlyContinue 4>&1 |
            ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { $script:Verbose += $_.Message } else { $_ } })
        $script:Placeholders = @($All | Where-Object { Test-PlaceholderUser $_ })
    }

    It 'the demo tenant has the placeholder shape on automated steps' {
        $Placeholders.Count | Should -BeGreaterOrEqual 6
    }

    It 'no placeholder is taken as a user: not UserInitiated, no initiator named' {
        foreach ($activity in $Placeholders) {
            $activity.Category | Should -Not -Be 'UserInitiated' -Because "record $($activity.Id) names nobody"
            $activity.InitiatorType | Should -Not -Be 'User'
            $activity.InitiatedBy | Should -Not -Be $ZeroId
            $activity.InitiatorId | Should -Not -Be $ZeroId
        }
    }

    It 'an access removal by the placeholder is a removal on closure, never a manual one' {
        $removals = @($Placeholders | Where-Object ActivityDisplayName -In 'Access removed', 'Approval removed')
        $removals.Count | Should -BeGreaterOrEqual 2
        $removals.Activity | Sort-Object -Unique | Should -Be 'AccessRemovedOnClosure'
    }

    It 'ClassificationReason says why, and -Verbose says it for each placeholder record' {
        foreach ($activity in $Placeholders) {
            $activity.ClassificationReason | Should -Match 'placeholder'
            @($Verbose | Where-Object { $_ -like "Record $($activity.Id) *not taken as a user*placeholder*" }).Count | Should -Be 1
        }
    }

    It 'a zero id with a UPN is still the user the UPN names' {
        $named = @($All | Where-Object { $_.InitiatedBy -eq 'ops@contoso.com' })
        $named.Count | Should -Be 1
        $named[0].Category | Should -Be 'UserInitiated'
        $named[0].Activity | Should -Be 'AccessRemovedManually'
        $named[0].InitiatorId | Should -Be ''
    }

    It 'ClassificationReason is the last CSV column, and every activity has one' {
        $csv = @($All | ConvertTo-Csv)
        ($csv[0] -split ',')[-1] | Should -Be '"ClassificationReason"'
        @($All | Where-Object { [string]::IsNullOrWhiteSpace($_.ClassificationReason) }) | Should -BeNullOrEmpty
    }
}

Describe 'A hostile or broken endpoint' {
    BeforeEach {
        Connect-Demo
        Clear-EmulatorRequestLog -Emulator $Emulator
    }

    AfterEach {
        Set-EmulatorFault -Emulator $Emulator -Fault @()
    }

    It 'a redirect is refused, not followed with the token' {
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'redirect'; page = 1; location = 'http://127.0.0.1:9/v1.0/auditLogs/directoryAudits' }
        $failure = $null
        try { Get-SupportAccessActivity -SkipRoleCheck } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'GraphRedirectRefused,*'
        $failure.Exception.Message | Should -Match '302'
        $failure.Exception.Message | Should -Match '-GraphEndpoint'
        Get-EmulatorRequestCount -Emulator $Emulator | Should -Be 1 -Because 'a refusal is not retried'
    }

    It 'a nextLink that points back at its own page stops with an error instead of looping' {
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'repeatNextLink'; page = 2 }
        $failure = $null
        $received = @(try { Get-SupportAccessActivity -SkipRoleCheck -RequestsPer10Seconds 0 } catch { $failure = $_ })
        $failure.FullyQualifiedErrorId | Should -BeLike 'GraphNextLinkRepeated,*'
        $received.Count | Should -Be 40 -Because 'two pages of 20 were read before the link repeated'
        Get-EmulatorRequestCount -Emulator $Emulator | Should -Be 2
    }

    It 'terminal escape sequences in a server''s error message never reach the console' {
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'escape500'; page = 1 }
        $failure = $null
        try { Get-SupportAccessActivity -SkipRoleCheck } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'GraphUnavailable,*'
        $shown = $failure.ToString()
        $shown | Should -Match 'Internal error'
        $shown | Should -Not -Match '[\x00-\x08\x0B-\x1F\x7F-\x9F]'
        $shown | Should -Not -Match 'pwned'
        $failure.Exception.Message | Should -Not -Match '\x1B'
    }

    It 'an endpoint with a password in it is refused without echoing the password' {
        $token = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
        $endpoint = "http://admin:s3cret@127.0.0.1:$($Emulator.BaseUri.Port)/"
        $failure = $null
        try { Connect-SupportAccess -AccessToken $token -GraphEndpoint $endpoint } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'GraphEndpointRefused,*'
        $failure.Exception.Message | Should -Match 'user name or password'
        "$($failure.Exception.Message) $($failure.TargetObject) $failure" | Should -Not -Match 's3cret'
        Get-EmulatorRequestCount -Emulator $Emulator | Should -Be 0
    }
}

Describe 'Paths that must be files' {
    It '-CertificatePath on another provider (<Path>) is a clear error' -ForEach @(
        @{ Path = 'Env:\PATH' }
        @{ Path = 'Variable:\PSHOME' }
        @{ Path = 'Function:\prompt' }
    ) {
        $failure = $null
        try { Connect-SupportAccess -CertificatePath $Path -TenantId '11111111-2222-4333-8444-555555555555' -ClientId '66666666-7777-4888-8999-000000000000' } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'PathNotFileSystem,*'
        $failure.Exception.Message | Should -Match '-CertificatePath'
        $failure.Exception.Message | Should -Match 'file system'
    }

    It '-FederatedTokenFile on another provider is a clear error' {
        $failure = $null
        try { Connect-SupportAccess -FederatedTokenFile 'Env:\HOME' -TenantId '11111111-2222-4333-8444-555555555555' -ClientId '66666666-7777-4888-8999-000000000000' } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'PathNotFileSystem,*'
        $failure.Exception.Message | Should -Match '-FederatedTokenFile'
    }

    It 'a relative file system path still resolves against the current location' {
        Push-Location ([System.IO.Path]::GetTempPath())
        try {
            $failure = $null
            try { Connect-SupportAccess -CertificatePath './no-such-file.pfx' -TenantId '11111111-2222-4333-8444-555555555555' -ClientId '66666666-7777-4888-8999-000000000000' } catch { $failure = $_ }
            $failure.FullyQualifiedErrorId | Should -BeLike 'CertificateFileNotFound,*'
            $failure.Exception.Message | Should -BeLike "*$([System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'no-such-file.pfx'))*"
        }
        finally { Pop-Location }
    }
}
