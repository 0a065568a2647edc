#Requires -Version 7.4
# What a hostile but realistic run found (issue 16): odd servers, bad input and confusing answers,
# each against the built module and the emulator. The next such case belongs here.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force
    # Small pages, so page boundaries (repeats, empty runs) fall inside the demo tenant's records.
    $script:Emulator = Start-GraphEmulator -PageSize 10
    $script:Truth = Get-EmulatorTruth -Emulator $Emulator
    $script:AuditPath = '/v1.0/auditLogs/directoryAudits'
    $script:HelpdeskTemplateId = '729827e3-9c14-49f7-bb1b-9608f156bbb8'
    # A loopback port nothing listens on: connections to it are refused at once.
    $script:DeadEndpoint = 'http://127.0.0.1:9/'

    function script:Connect-As([hashtable] $Claims = @{}, [string] $Endpoint = $Emulator.BaseUri) {
        $token = Get-EmulatorToken -Emulator $Emulator -Claims $Claims | ConvertTo-SecureString -AsPlainText -Force
        Connect-SupportAccess -AccessToken $token -GraphEndpoint $Endpoint
        Clear-EmulatorRequestLog -Emulator $Emulator
    }

    function script:Get-Failure([scriptblock] $Command) {
        try { & $Command | Out-Null } catch { return $_ }
        throw 'The command did not fail.'
    }

    # What the module wrote on the Verbose and Warning streams, as text.
    function script:Get-Messages($Records, [type] $Type) {
        @($Records | Where-Object { $_ -is $Type }).Message -join "`n"
    }
}

AfterAll {
    Disconnect-SupportAccess
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'A server that repeats itself' {
    BeforeEach { Connect-As }
    AfterEach { Set-EmulatorFault -Emulator $Emulator -Fault @() }

    It 'writes a record the server sends again at the top of the next page once, and says so in Verbose' {
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'repeatRecords'; page = 2; afterRecords = 2 }, @{ kind = 'repeatRecords'; page = 5; afterRecords = 1 }
        $output = @(Get-SupportAccessActivity -RequestsPer10Seconds 0 -WarningAction SilentlyContinue -Verbose 4>&1)
        $activities = @($output | Where-Object { $_ -is [SupportAccessLogs.SupportAccessActivity] })

        $activities.Count | Should -Be $Truth.total
        @($activities.Id | Sort-Object -Unique).Count | Should -Be $Truth.total
        $verbose = Get-Messages $output ([System.Management.Automation.VerboseRecord])
        ([regex]::Matches($verbose, 'was sent again')).Count | Should -Be 3
    }

    It 'follows a long run of empty pages to the data, with one warning' {
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'emptyPages'; page = 3; times = 12 }
        $activities = @(Get-SupportAccessActivity -RequestsPer10Seconds 0 -WarningVariable warnings -WarningAction SilentlyContinue)

        $activities.Count | Should -Be $Truth.total
        $empty = @($warnings | Where-Object Message -Match 'empty pages in a row')
        $empty.Count | Should -Be 1
        $empty[0].Message | Should -Match '10 empty pages'
    }

    It 'keeps a record without id or activityDateTime, and warns once with the count' {
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'missingIdentity'; page = 2 }
        $activities = @(Get-SupportAccessActivity -RequestsPer10Seconds 0 -WarningVariable warnings -WarningAction SilentlyContinue)

        $activities.Count | Should -Be $Truth.total
        @($activities | Where-Object { -not $_.Id }).Count | Should -Be 1
        @($activities | Where-Object { $_.ActivityDateTime -eq [datetime]::MinValue }).Count | Should -Be 1
        $incomplete = @($warnings | Where-Object Message -Match 'without id')
        $incomplete.Count | Should -Be 1
        $incomplete[0].Message | Should -Match '1 record without id and 1 record without activityDateTime'
    }
}

Describe 'One answer about the caller' {
    It 'a reader role in the directory but not in the token: both commands say no, name the role and say to reconnect' {
        Connect-As @{ user = 'reportsReader'; wids = $HelpdeskTemplateId }
        $summary = Get-SupportAccessRole -Summary -WarningAction SilentlyContinue
        $summary.CanReadActivityLogs | Should -BeFalse
        $summary.ReadRolesNotInToken | Should -Be @('Reports Reader')
        $summary.ReadDecision | Should -Match 'Connect-SupportAccess again'

        $failure = Get-Failure { Get-SupportAccessActivity }
        $failure.FullyQualifiedErrorId | Should -BeLike 'ReaderRoleMissing,*'
        $failure.Exception.Message | Should -Match 'Reports Reader'
        $failure.Exception.Message | Should -Match 'Connect-SupportAccess again'
        Get-EmulatorRequestCount -Emulator $Emulator -Path $AuditPath | Should -Be 0
    }

    It 'Get-SupportAccessRole -Summary and Get-SupportAccessActivity agree for <Name>' -ForEach @(
        @{ Name = 'a Reports Reader'; Claims = @{ user = 'reportsReader' } }
        @{ Name = 'a Helpdesk Administrator'; Claims = @{ user = 'helpdesk' } }
        @{ Name = 'a Helpdesk token for a Reports Reader'; Claims = @{ user = 'reportsReader'; wids = '729827e3-9c14-49f7-bb1b-9608f156bbb8' } }
        @{ Name = 'a Reports Reader token without wids'; Claims = @{ user = 'reportsReader'; wids = '' } }
        @{ Name = 'an app with AuditLog.Read.All'; Claims = @{ roles = 'AuditLog.Read.All' } }
        @{ Name = 'an app without it'; Claims = @{ roles = 'Directory.Read.All' } }
        @{ Name = 'a user without the delegated permission'; Claims = @{ user = 'reportsReader'; scp = 'Directory.Read.All' } }
    ) {
        Connect-As $Claims
        $summary = Get-SupportAccessRole -Summary -WarningAction SilentlyContinue
        $read = $true
        try { Get-SupportAccessActivity -First 1 -WarningAction SilentlyContinue | Out-Null } catch { $read = $false }
        $summary.CanReadActivityLogs | Should -Be $read
    }
}

Describe 'Tokens that are not what they seem' {
    It 'a token that is not a JWT is refused at connect, saying so' {
        $opaque = 'opaque-' + [guid]::NewGuid().ToString('N') | ConvertTo-SecureString -AsPlainText -Force
        $failure = Get-Failure { Connect-SupportAccess -AccessToken $opaque -TenantId $Truth.tenantId -GraphEndpoint $Emulator.BaseUri }
        $failure.FullyQualifiedErrorId | Should -BeLike 'AccessTokenNotJwt,*'
        $failure.Exception.Message | Should -Match 'not a JWT'
        $failure.Exception.Message | Should -Not -Match 'pass -TenantId'
    }

    It 'a token whose tid is not a GUID is refused at connect, saying so' {
        $token = Get-EmulatorToken -Emulator $Emulator -Claims @{ tid = 'contoso' } | ConvertTo-SecureString -AsPlainText -Force
        $failure = Get-Failure { Connect-SupportAccess -AccessToken $token -GraphEndpoint $Emulator.BaseUri }
        $failure.FullyQualifiedErrorId | Should -BeLike 'AccessTokenTenantInvalid,*'
        $failure.Exception.Message | Should -Match "'tid' claim \('contoso'\) is not a tenant id"
    }

    It '-AccessToken with -TenantId as a domain name connects to the token''s tenant, as the help says' {
        $token = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
        $connection = Connect-SupportAccess -AccessToken $token -TenantId contoso.onmicrosoft.com -GraphEndpoint $Emulator.BaseUri -PassThru -Verbose 4>&1
        $verbose = Get-Messages $connection ([System.Management.Automation.VerboseRecord])
        $connected = @($connection | Where-Object { $_ -is [SupportAccessLogs.SupportAccessConnection] })
        $connected[0].TenantId | Should -Be $Truth.tenantId
        $verbose | Should -Match "contoso\.onmicrosoft\.com' is a domain name"
        (Get-Help Connect-SupportAccess -Parameter TenantId | Out-String) | Should -Match 'domain name'
    }
}

Describe 'Bad input refused before any request' {
    BeforeEach { Connect-As }

    It 'an -InitiatedBy that is not a valid wildcard pattern' {
        $failure = Get-Failure { Get-SupportAccessActivity -InitiatedBy '[abc' }
        $failure.FullyQualifiedErrorId | Should -BeLike 'InitiatedByInvalidWildcard,*'
        $failure.Exception.Message | Should -Match 'backtick'
        @(Get-EmulatorRequest -Emulator $Emulator).Count | Should -Be 0
    }

    It 'an -InitiatedBy too long for any name, with the limit' {
        $failure = Get-Failure { Get-SupportAccessActivity -InitiatedBy ('a' * 100000) }
        $failure.FullyQualifiedErrorId | Should -BeLike 'InitiatedByTooLong,*'
        $failure.Exception.Message | Should -Match '100000 characters'
        $failure.Exception.Message | Should -Match '256'
        $failure.Exception.Message.Length | Should -BeLessThan 1000
        @(Get-EmulatorRequest -Emulator $Emulator).Count | Should -Be 0
    }

    It 'a -StartTime in the future' {
        $failure = Get-Failure { Get-SupportAccessActivity -StartTime (Get-Date).AddDays(2) -EndTime (Get-Date).AddDays(3) }
        $failure.FullyQualifiedErrorId | Should -BeLike 'StartTimeInFuture,*'
        @(Get-EmulatorRequest -Emulator $Emulator).Count | Should -Be 0
    }

    It 'an -EndTime far in the future ends the window now, and says so in Verbose' {
        $output = @(Get-SupportAccessActivity -RequestsPer10Seconds 0 -EndTime ([datetime]::MaxValue) -WarningAction SilentlyContinue -Verbose 4>&1)
        @($output | Where-Object { $_ -is [SupportAccessLogs.SupportAccessActivity] }).Count | Should -Be $Truth.total
        Get-Messages $output ([System.Management.Automation.VerboseRecord]) | Should -Match 'is in the future; the window ends now'
    }
}

Describe 'Failures that say what failed, and where' {
    AfterEach { Set-EmulatorFault -Emulator $Emulator -Fault @() }

    It 'an HTTP 500 with an empty JSON body keeps its status and URL' {
        Connect-As
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'empty500'; page = 1 }
        $failure = Get-Failure { Get-SupportAccessActivity -RequestsPer10Seconds 0 -WarningAction SilentlyContinue }
        $failure.FullyQualifiedErrorId | Should -BeLike 'GraphUnavailable,*'
        $failure.Exception.Message | Should -Match 'returned 500'
        $failure.Exception.Message | Should -Match 'empty body'
        $failure.Exception.Message | Should -Match ([regex]::Escape('/v1.0/auditLogs/directoryAudits'))
        $failure.Exception.StatusCode | Should -Be 500
    }

    It 'Get-SupportAccessRole against an unreachable endpoint names the endpoint' {
        Connect-As @{ user = 'reportsReader'; wids = '' } -Endpoint $DeadEndpoint
        $failure = Get-Failure { Get-SupportAccessRole -Summary -WarningAction SilentlyContinue }
        $failure.FullyQualifiedErrorId | Should -BeLike 'GraphUnreachable,*'
        $failure.Exception.Message | Should -Match ([regex]::Escape('http://127.0.0.1:9/v1.0/'))
        $failure.Exception.Message | Should -Not -Match '\(none\)'
    }

    It 'a dead endpoint warns on the first retry, naming what failed, the count and the wait' {
        Connect-As -Endpoint $DeadEndpoint
        $failure = $null
        try { Get-SupportAccessActivity -SkipRoleCheck -MaxRetries 2 -WarningVariable warnings -WarningAction SilentlyContinue } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'GraphUnreachable,*'
        $retrying = @($warnings | Where-Object Message -Match 'retrying')
        $retrying.Count | Should -Be 1 -Because 'later retries go to Verbose'
        $retrying[0].Message | Should -Match 'could not reach http://127\.0\.0\.1:9/v1\.0/auditLogs/directoryAudits'
        $retrying[0].Message | Should -Match '1 of 3 tries'
        $retrying[0].Message | Should -Match 'retrying in \d'
    }
}

Describe '-IncludeTotalCount' {
    BeforeEach { Connect-As }

    It 'is exact when every page was read' {
        $output = @(Get-SupportAccessActivity -RequestsPer10Seconds 0 -IncludeTotalCount -WarningAction SilentlyContinue)
        $output[-1].ToString() | Should -Be "Total count: $($Truth.total)"
    }

    It 'is an estimate, as the help says, when -First stopped the read' {
        $output = @(Get-SupportAccessActivity -First 3 -IncludeTotalCount -WarningAction SilentlyContinue)
        $output.Count | Should -Be 4
        $output[-1].ToString() | Should -Match '^Estimated total count: \d+$'
        [int]($output[-1].ToString() -replace '\D') | Should -BeGreaterOrEqual 3
        (Get-Help Get-SupportAccessActivity -Parameter IncludeTotalCount | Out-String) | Should -Match 'estimate'
    }
}

Describe 'A server that echoes the token (issue 22)' {
    AfterEach { Set-EmulatorFault -Emulator $Emulator -Fault @(); Disconnect-SupportAccess -All }

    It 'never shows the bearer token: not in Verbose, the error, its inner exceptions, $Error or a transcript' {
        $token = Get-EmulatorToken -Emulator $Emulator
        Connect-SupportAccess -AccessToken ($token | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $Emulator.BaseUri
        # Page 1 answers 400 twice: the category filter's refusal, then the fallback's.
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'echoToken400'; page = 1; times = 2 }
        $transcript = Join-Path $TestDrive 'transcript.txt'
        $Error.Clear()

        $streams = [System.Collections.Generic.List[object]]::new()
        $failure = $null
        Start-Transcript -LiteralPath $transcript | Out-Null
        try {
            Get-SupportAccessActivity -Verbose 4>&1 3>&1 | ForEach-Object { $streams.Add($_) }
        }
        catch {
            $failure = $_
        }
        finally {
            Stop-Transcript | Out-Null
        }

        $failure | Should -Not -BeNullOrEmpty -Because 'the endpoint refused the request'
        $said = @(
            $streams | ForEach-Object { "$_" }
            $failure | ForEach-Object { "$_"; $_.ErrorDetails.Message; $_.Exception.ToString() }
            $Error | ForEach-Object { "$_"; $_.Exception.ToString() }
            Get-Content -LiteralPath $transcript -Raw
        ) -join "`n"
        $said | Should -Match 'Bad token' -Because 'the server''s message is still shown'
        $said | Should -Match '\[redacted\]'
        $said.Contains($token) | Should -BeFalse
        $said | Should -Not -Match 'eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.'
    }
}
