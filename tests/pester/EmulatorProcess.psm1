# Starts and stops the Graph emulator (tests/GraphEmulator, built by build.ps1 into
# output/GraphEmulator) as a child process. Used by the Pester tests and by build.ps1 Demo.

function Get-DotnetHost {
    # Under `dotnet pwsh` the process is the dotnet host itself; under a native pwsh, find dotnet on PATH.
    $processPath = [System.Environment]::ProcessPath
    if ([System.IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') {
        return $processPath
    }
    (Get-Command -Name dotnet -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
}

. (Join-Path $PSScriptRoot '../../build/PwshCommand.ps1')

function Invoke-ChildPwsh {
    <#
    .SYNOPSIS
    Runs a script in a fresh pwsh with extra environment variables, the way a runbook or pipeline
    step runs: returns its exit code and everything it wrote to stdout and stderr.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Script,
        [hashtable] $Environment = @{},
        [int] $TimeoutSeconds = 180
    )
    $scriptPath = Join-Path ([System.IO.Path]::GetTempPath()) "sal-child-$([guid]::NewGuid().ToString('N')).ps1"
    Set-Content -LiteralPath $scriptPath -Value $Script -Encoding utf8
    try {
        $pwsh = Get-PwshCommand
        $startInfo = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $scriptPath)) {
            $startInfo.ArgumentList.Add($argument)
        }
        foreach ($name in $Environment.Keys) { $startInfo.Environment[$name] = [string]$Environment[$name] }
        $startInfo.RedirectStandardOutput = $true
        $startInfo.RedirectStandardError = $true
        $startInfo.UseShellExecute = $false

        $process = [System.Diagnostics.Process]::Start($startInfo)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "The child pwsh did not finish within $TimeoutSeconds s. Output so far: $($stdout.Result)"
        }
        $process.WaitForExit()
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            Output   = $stdout.Result
            Error    = $stderr.Result
        }
    }
    finally {
        Remove-Item -LiteralPath $scriptPath -ErrorAction Ignore
    }
}

function Start-GraphEmulator {
    <#
    .SYNOPSIS
    Starts the emulator on a free loopback port and returns an object with its BaseUri and Process.
    The emulator exits by itself when this PowerShell process exits (--parent-pid).
    #>
    [CmdletBinding()]
    param(
        [string] $EmulatorPath = (Join-Path $PSScriptRoot '../../output/GraphEmulator/GraphEmulator.dll'),
        [int] $Seed = 42,
        [int] $PageSize = 999,
        [int] $BulkRecordCount = 0,
        [switch] $RejectCategoryFilter,
        [string] $TenantId,
        # Tenants served beside TenantId (tests/GraphEmulator/README.md, "Several tenants"), each a
        # hashtable @{ TenantId = '<guid>'; DisplayName = 'Fabrikam'; BulkRecordCount = 0;
        # PipelineAppConsented = $true; AdminHasAccess = $true; AdminRoles = @('Global Reader') }
        # (only TenantId required; AdminRoles by display name or template id, @() for none), or a
        # string as --other-tenant takes it: a GUID or preset (fabrikam, woodgrove, northwind,
        # tailspin), optionally with ':consent=false' and the like.
        [object[]] $OtherTenant = @(),
        # The four preset customer tenants (DemoTenant.CustomerTenants): Fabrikam; Woodgrove (the
        # pipeline app not consented); Northwind Traders (the admin without a reader role); Tailspin
        # Toys (the admin without access).
        [switch] $CustomerTenants,
        # The data set's "now" (--anchor); default: the emulator's clock at start, truncated to the
        # minute. Get-EmulatorAnchor reads it back either way.
        [Nullable[datetimeoffset]] $Anchor,
        # Also serve the Entra-compatible sign-in authority on https; its CA is written to AuthorityCaPath.
        [switch] $Authority,
        [string] $AuthorityCaPath,
        [string] $ClientSecret,
        [string[]] $ClientCertificatePath = @(),
        [string] $IdentityHeader,
        [int] $TokenLifetimeSeconds,
        # Graph's reporting throttle: 5 audit requests per 10 s per app per tenant, 429 past it.
        [switch] $Throttle,
        # With -Throttle: requests per 10 s per app across all tenants (Graph's global per-app limit); default none.
        [int] $ThrottleAppLimit,
        # Faults drawn at random (throttle, 503, 504, reset, truncated body) on this share of requests.
        [double] $FaultRate,
        [int] $FaultSeed,
        # Log Analytics (POST /v1/workspaces/{id}/query on the same base address; see tests/GraphEmulator/README.md):
        # the record count limit of a query's result (default 500000); past it, the first N rows and a PartialError.
        [int] $LogAnalyticsRowCap,
        # Extra support-access rows in the demo workspace, spread over its 180 days.
        [int] $LogAnalyticsBulkRows,
        # Scripted Log Analytics faults: 'throttle429:1:2' (from query 1, twice), 'timeout504:3',
        # 'partialError@2026-09-03T12:00:00Z' (every query whose window holds that time).
        [string[]] $LogAnalyticsFault = @(),
        # Milliseconds each query waits before it runs (past the request's Prefer: wait, 504).
        [int] $LogAnalyticsDelayMs
    )

    $EmulatorPath = [System.IO.Path]::GetFullPath($EmulatorPath)
    if (-not (Test-Path -LiteralPath $EmulatorPath)) {
        throw "The Graph emulator is not built at '$EmulatorPath'. Run: dotnet pwsh ./build.ps1 Build"
    }

    $arguments = @($EmulatorPath, '--port', '0', '--seed', $Seed, '--page-size', $PageSize,
        '--bulk', $BulkRecordCount, '--parent-pid', $PID)
    if ($RejectCategoryFilter) { $arguments += '--reject-category-filter' }
    if ($TenantId) { $arguments += '--tenant-id', $TenantId }
    foreach ($tenant in $OtherTenant) { $arguments += '--other-tenant', (ConvertTo-OtherTenantArgument $tenant) }
    if ($CustomerTenants) { $arguments += '--customer-tenants' }
    if ($Anchor) { $arguments += '--anchor', $Anchor.UtcDateTime.ToString('o', [cultureinfo]::InvariantCulture) }
    if ($Authority) { $arguments += '--authority' }
    if ($AuthorityCaPath) { $arguments += '--authority-ca-out', $AuthorityCaPath }
    if ($ClientSecret) { $arguments += '--client-secret', $ClientSecret }
    foreach ($path in $ClientCertificatePath) { $arguments += '--client-certificate', $path }
    if ($IdentityHeader) { $arguments += '--identity-header', $IdentityHeader }
    if ($TokenLifetimeSeconds) { $arguments += '--token-lifetime', $TokenLifetimeSeconds }
    if ($Throttle) { $arguments += '--throttle' }
    if ($ThrottleAppLimit) { $arguments += '--throttle-app-limit', $ThrottleAppLimit }
    if ($FaultRate) { $arguments += '--fault-rate', $FaultRate.ToString([cultureinfo]::InvariantCulture) }
    if ($FaultSeed) { $arguments += '--fault-seed', $FaultSeed }
    if ($LogAnalyticsRowCap) { $arguments += '--la-row-cap', $LogAnalyticsRowCap }
    if ($LogAnalyticsBulkRows) { $arguments += '--la-bulk', $LogAnalyticsBulkRows }
    foreach ($rule in $LogAnalyticsFault) { $arguments += '--la-fault', $rule }
    if ($PSBoundParameters.ContainsKey('LogAnalyticsDelayMs')) { $arguments += '--la-delay', $LogAnalyticsDelayMs }

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new((Get-DotnetHost))
    foreach ($argument in $arguments) { $startInfo.ArgumentList.Add([string]$argument) }
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.UseShellExecute = $false

    $process = [System.Diagnostics.Process]::Start($startInfo)
    $readLine = $process.StandardOutput.ReadLineAsync()
    if (-not $readLine.Wait([TimeSpan]::FromSeconds(60)) -or $null -eq $readLine.Result) {
        $errorText = if ($process.HasExited) { $process.StandardError.ReadToEnd() } else { '' }
        if (-not $process.HasExited) { $process.Kill($true) }
        throw "The Graph emulator did not report its address within 60 s. $errorText"
    }

    if ($readLine.Result -notmatch '^GraphEmulator listening on (?<uri>http://127\.0\.0\.1:\d+/)$') {
        $process.Kill($true)
        throw "Unexpected first line from the Graph emulator: '$($readLine.Result)'"
    }

    $baseUri = [uri]$Matches.uri
    $authorityUri = $null
    if ($Authority) {
        $authorityLine = $process.StandardOutput.ReadLine()
        if ($authorityLine -notmatch '^GraphEmulator authority on (?<uri>https://127\.0\.0\.1:\d+/)$') {
            $process.Kill($true)
            throw "Unexpected second line from the Graph emulator: '$authorityLine'"
        }
        $authorityUri = [uri]$Matches.uri
    }

    # Drain both streams so a chatty emulator can never block on a full pipe.
    $process.StandardOutput.ReadToEndAsync() | Out-Null
    $process.StandardError.ReadToEndAsync() | Out-Null

    [pscustomobject]@{
        BaseUri      = $baseUri
        AuthorityUri = $authorityUri
        Process      = $process
        Seed         = $Seed
    }
}

function ConvertTo-OtherTenantArgument {
    # One -OtherTenant item as --other-tenant takes it: a string as it is, a hashtable as
    # <guid>[:name=…][:bulk=n][:consent=…][:access=…][:roles=…].
    param([Parameter(Mandatory)] $Tenant)
    if ($Tenant -is [string]) { return $Tenant }
    if ($Tenant -isnot [System.Collections.IDictionary]) {
        throw "-OtherTenant takes hashtables (@{ TenantId = '<guid>'; ... }) or strings, not $($Tenant.GetType().FullName)."
    }
    $known = 'TenantId', 'DisplayName', 'BulkRecordCount', 'PipelineAppConsented', 'AdminHasAccess', 'AdminRoles'
    foreach ($key in $Tenant.Keys) {
        if ($key -notin $known) { throw "-OtherTenant: unknown key '$key' (use $($known -join ', '))." }
    }
    if (-not $Tenant.TenantId) { throw '-OtherTenant: every tenant needs a TenantId.' }
    $text = [string]$Tenant.TenantId
    if ($Tenant.Contains('DisplayName')) {
        if ([string]$Tenant.DisplayName -match ':') { throw "-OtherTenant: a DisplayName can't hold ':'." }
        $text += ':name=' + $Tenant.DisplayName
    }
    if ($Tenant.Contains('BulkRecordCount')) { $text += ':bulk=' + [int]$Tenant.BulkRecordCount }
    if ($Tenant.Contains('PipelineAppConsented')) { $text += ':consent=' + ([bool]$Tenant.PipelineAppConsented).ToString().ToLowerInvariant() }
    if ($Tenant.Contains('AdminHasAccess')) { $text += ':access=' + ([bool]$Tenant.AdminHasAccess).ToString().ToLowerInvariant() }
    if ($Tenant.Contains('AdminRoles')) {
        $roles = @($Tenant.AdminRoles | Where-Object { $_ })
        $text += ':roles=' + $(if ($roles.Count -eq 0) { 'none' } else { $roles -join '+' })
    }
    $text
}

function Get-EmulatorTenant {
    <#
    .SYNOPSIS
    The tenants the emulator serves, home first: tenantId, displayName, home, pipelineAppConsented,
    adminHasAccess, adminRoleTemplateIds, seed, hasStories, bulkRecordCount, servedCount, total.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Emulator)
    Invoke-RestMethod -Uri ([uri]::new($Emulator.BaseUri, '_emulator/tenants')) | ForEach-Object { $_ }
}

function Stop-GraphEmulator {
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] $Emulator)
    process {
        if ($Emulator -and -not $Emulator.Process.HasExited) {
            $Emulator.Process.Kill($true)
            $Emulator.Process.WaitForExit(10000) | Out-Null
        }
        if ($Emulator) { $Emulator.Process.Dispose() }
    }
}

function Get-EmulatorToken {
    <#
    .SYNOPSIS
    Mints an unsigned test token from the emulator (defaults: the demo tenant's admin). For the
    Log Analytics API: -Claims @{ api = 'loganalytics' } (aud https://api.loganalytics.io, scp Data.Read),
    with user = 'reportsReader' or roles = 'Data.Read' as for Graph. -TenantId: a token of that
    served tenant (tid, and the admin's roles there; app-only with -Claims @{ roles = '...' }); it
    fails for a tenant where the admin has no access, as Entra would issue no token there.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Emulator,
        [hashtable] $Claims = @{},
        [string] $TenantId
    )
    if ($TenantId) {
        $Claims = $Claims.Clone()
        $Claims['tenant'] = $TenantId
    }
    $query = ($Claims.GetEnumerator() | ForEach-Object {
            '{0}={1}' -f [uri]::EscapeDataString($_.Key), [uri]::EscapeDataString([string]$_.Value)
        }) -join '&'
    $uri = [uri]::new($Emulator.BaseUri, "_emulator/token?$query")
    $response = Invoke-WebRequest -Uri $uri -SkipHttpErrorCheck
    if ($response.StatusCode -ne 200) {
        # The emulator says why (an unknown user, a tenant the user has no access to, ...).
        $message = try { ($response.Content | ConvertFrom-Json).error.message } catch { $response.Content }
        throw "The emulator minted no token ($($response.StatusCode)): $message"
    }
    ($response.Content | ConvertFrom-Json).accessToken
}

function New-UnsignedJwt {
    <#
    .SYNOPSIS
    An unsigned (alg none) test JWT with exactly the given claims, for tokens /_emulator/token
    won't mint: another audience, an expiry seconds away or already past.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [hashtable] $Claims)
    $encode = { param($object) [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes(($object | ConvertTo-Json -Compress))).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
    (& $encode @{ alg = 'none'; typ = 'JWT' }) + '.' + (& $encode $Claims) + '.'
}

function Get-EmulatorTruth {
    <#
    .SYNOPSIS
    The truth about a served tenant's records (default the home tenant): tenantId, tenantName,
    anchor, total, byCategory, byActivity, otherCategoryIds, records (the served support-access
    records with their expected classification). -TenantId: another served tenant's.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Emulator,
        [string] $TenantId
    )
    $path = '_emulator/truth'
    if ($TenantId) { $path += '?tenant=' + [uri]::EscapeDataString($TenantId) }
    Invoke-RestMethod -Uri ([uri]::new($Emulator.BaseUri, $path))
}

function Get-EmulatorAnchor {
    <#
    .SYNOPSIS
    The emulator's anchor (its data set's "now"), as a UTC [datetimeoffset]: the stories' steps lie
    at fixed offsets from it (tests/GraphEmulator/README.md, "Stories").
    #>
    [CmdletBinding()]
    [OutputType([datetimeoffset])]
    param([Parameter(Mandatory)] $Emulator)
    # Read as text: ConvertFrom-Json would turn the ISO 8601 string into a [datetime] of its own choosing.
    $json = (Invoke-WebRequest -Uri ([uri]::new($Emulator.BaseUri, '_emulator/truth?records=false'))).Content
    $document = [System.Text.Json.JsonDocument]::Parse($json)
    try {
        [datetimeoffset]::Parse($document.RootElement.GetProperty('anchor').GetString(), [cultureinfo]::InvariantCulture,
            [System.Globalization.DateTimeStyles]::AssumeUniversal).ToUniversalTime()
    }
    finally {
        $document.Dispose()
    }
}

function Add-EmulatorLateRecord {
    <#
    .SYNOPSIS
    Adds late records to a served tenant's Graph log (default the home tenant): support-access
    records that reach the log after they happened (tests/GraphEmulator/README.md, "Late records").
    -Count records all at -MinutesAgo minutes before the emulator's clock (default 0), or one at each
    -Time. Served by directoryAudits from the next read on (a read already paging keeps what it
    started with) and counted in Get-EmulatorTruth; the Log Analytics workspaces don't get them.
    Returns the records added, in the order made (-Time's order): TenantId, Id, ActivityDateTime
    (a UTC [datetimeoffset]), ActivityDisplayName, ExpectedCategory, ExpectedActivity,
    ExpectedTenantRole, ExpectedOtherTenantId, ExpectedSupportRequestId.
    .EXAMPLE
    Add-EmulatorLateRecord -Emulator $e -Count 3 -MinutesAgo 10
    .EXAMPLE
    Add-EmulatorLateRecord -Emulator $e -TenantId $fabrikam -Time ([datetimeoffset]'2026-11-20T11:50:00Z'), $anchor.AddHours(-2)
    #>
    [CmdletBinding(DefaultParameterSetName = 'Count')]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] $Emulator,
        [string] $TenantId,
        [Parameter(Mandatory, ParameterSetName = 'Count')] [ValidateRange(1, 100000)] [int] $Count,
        [Parameter(ParameterSetName = 'Count')] [ValidateRange('NonNegative')] [double] $MinutesAgo = 0,
        [Parameter(Mandatory, ParameterSetName = 'Time')] [ValidateCount(1, 100000)] [datetimeoffset[]] $Time
    )
    $body = [ordered]@{}
    if ($TenantId) { $body.tenant = $TenantId }
    if ($PSCmdlet.ParameterSetName -eq 'Time') {
        # Seven fractional digits and Z: the emulator keeps the time to the tick.
        $body.times = @($Time | ForEach-Object { $_.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", [cultureinfo]::InvariantCulture) })
    }
    else {
        $body.count = $Count
        $body.minutesAgo = $MinutesAgo
    }
    $response = Invoke-WebRequest -Method Post -Uri ([uri]::new($Emulator.BaseUri, '_emulator/late-records')) -ContentType 'application/json' `
        -Body (ConvertTo-Json -InputObject $body -Depth 3 -Compress) -SkipHttpErrorCheck
    if ($response.StatusCode -ne 200) {
        $message = try { ($response.Content | ConvertFrom-Json).error.message } catch { $response.Content }
        throw "The emulator added no late records ($($response.StatusCode)): $message"
    }
    # Read with System.Text.Json: ConvertFrom-Json would turn the times into [datetime]s of its own choosing.
    $document = [System.Text.Json.JsonDocument]::Parse([string]$response.Content)
    try {
        $tenant = $document.RootElement.GetProperty('tenantId').GetString()
        foreach ($record in $document.RootElement.GetProperty('records').EnumerateArray()) {
            [pscustomobject]@{
                TenantId                 = $tenant
                Id                       = $record.GetProperty('id').GetString()
                ActivityDateTime         = [datetimeoffset]::Parse($record.GetProperty('activityDateTime').GetString(), [cultureinfo]::InvariantCulture,
                    [System.Globalization.DateTimeStyles]::AssumeUniversal).ToUniversalTime()
                ActivityDisplayName      = $record.GetProperty('activityDisplayName').GetString()
                ExpectedCategory         = $record.GetProperty('expectedCategory').GetString()
                ExpectedActivity         = $record.GetProperty('expectedActivity').GetString()
                ExpectedTenantRole       = $record.GetProperty('expectedTenantRole').GetString()
                ExpectedOtherTenantId    = $record.GetProperty('expectedOtherTenantId').GetString()
                ExpectedSupportRequestId = $record.GetProperty('expectedSupportRequestId').GetString()
            }
        }
    }
    finally {
        $document.Dispose()
    }
}

function Clear-EmulatorLateRecord {
    <#
    .SYNOPSIS
    Removes the late records Add-EmulatorLateRecord added: every served tenant's, or only -TenantId's.
    The log and truth are as at start again (a read already paging keeps what it started with).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Emulator,
        [string] $TenantId
    )
    $path = '_emulator/late-records'
    if ($TenantId) { $path += '?tenant=' + [uri]::EscapeDataString($TenantId) }
    $response = Invoke-WebRequest -Method Delete -Uri ([uri]::new($Emulator.BaseUri, $path)) -SkipHttpErrorCheck
    if ($response.StatusCode -ne 204) {
        $message = try { ($response.Content | ConvertFrom-Json).error.message } catch { $response.Content }
        throw "The emulator removed no late records ($($response.StatusCode)): $message"
    }
}

function Get-EmulatorRequestCount {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Emulator,
        [string] $Path = '/v1.0/auditLogs/directoryAudits',
        # Only the requests whose token named this served tenant.
        [string] $TenantId
    )
    $query = "path=$([uri]::EscapeDataString($Path))"
    if ($TenantId) { $query += "&tenant=$([uri]::EscapeDataString($TenantId))" }
    $uri = [uri]::new($Emulator.BaseUri, "_emulator/requests/count?$query")
    (Invoke-RestMethod -Uri $uri).count
}

function Clear-EmulatorRequestLog {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Emulator)
    Invoke-RestMethod -Method Delete -Uri ([uri]::new($Emulator.BaseUri, '_emulator/requests')) | Out-Null
}

function Set-EmulatorFault {
    <#
    .SYNOPSIS
    Scripts faults on audit pages, replacing those in force, e.g. @{ kind = 'reset'; page = 4 } or
    @{ kind = 'loopToFirstPage'; page = 3; times = 1000 } (see tests/GraphEmulator/README.md, "Faults").
    An empty list clears them.
    .PARAMETER TenantId
    Scopes every rule to that served tenant's audit requests (by the token's tid): the others are
    served normally. The same as tenantId = '<id>' in each hashtable; a rule that names another
    tenant itself is an error. The emulator refuses a tenant it does not serve (400).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Emulator,
        [Parameter(Mandatory)] [AllowEmptyCollection()] [hashtable[]] $Fault,
        [string] $TenantId
    )
    if ($TenantId -and $Fault.Count -gt 0) {
        # Copies (@{} is case-insensitive, as the emulator's names are), so the caller's hashtables,
        # often reused across tests, are left as they were.
        $Fault = @(foreach ($rule in $Fault) {
            $scoped = @{} + $rule
            if ($scoped['tenantId'] -and $scoped['tenantId'] -ne $TenantId) {
                throw "Set-EmulatorFault: a rule names tenant '$($scoped['tenantId'])' but -TenantId is '$TenantId'."
            }
            $scoped['tenantId'] = $TenantId
            $scoped
        })
    }
    $uri = [uri]::new($Emulator.BaseUri, '_emulator/faults')
    Invoke-RestMethod -Method Delete -Uri $uri | Out-Null
    Invoke-RestMethod -Method Post -Uri $uri -ContentType 'application/json' -Body (ConvertTo-Json -InputObject @($Fault) -Depth 3) | Out-Null
}

function Set-EmulatorLogAnalyticsFault {
    <#
    .SYNOPSIS
    Scripts faults on Log Analytics queries, replacing those in force and restarting the query count,
    e.g. @{ kind = 'throttle429'; query = 1; times = 2 } or @{ kind = 'partialError'; containsTime = '2026-09-03T12:00:00Z' }
    (see tests/GraphEmulator/README.md, "Log Analytics faults"). An empty list clears them.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Emulator,
        [Parameter(Mandatory)] [AllowEmptyCollection()] [hashtable[]] $Fault
    )
    $uri = [uri]::new($Emulator.BaseUri, '_emulator/la-faults')
    Invoke-RestMethod -Method Post -Uri $uri -ContentType 'application/json' -Body (ConvertTo-Json -InputObject @($Fault) -Depth 3) | Out-Null
}

function Get-EmulatorWorkspaceTruth {
    <#
    .SYNOPSIS
    What a window [Start, End) of a workspace's AuditLogs holds: rowCount, supportAccessCount,
    supportAccessIds (newest first), supportAccessByTenant. Default: the demo workspace, all of it.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Emulator,
        [string] $Workspace,
        [Nullable[datetimeoffset]] $Start,
        [Nullable[datetimeoffset]] $End,
        [string] $AadTenantId
    )
    $query = @()
    if ($Workspace) { $query += 'workspace=' + [uri]::EscapeDataString($Workspace) }
    if ($Start) { $query += 'start=' + [uri]::EscapeDataString($Start.UtcDateTime.ToString('o')) }
    if ($End) { $query += 'end=' + [uri]::EscapeDataString($End.UtcDateTime.ToString('o')) }
    if ($AadTenantId) { $query += 'tenant=' + [uri]::EscapeDataString($AadTenantId) }
    Invoke-RestMethod -Uri ([uri]::new($Emulator.BaseUri, '_emulator/workspace-truth?' + ($query -join '&')))
}

function Get-EmulatorRequest {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Emulator)
    # Invoke-RestMethod writes a JSON array as one object; unroll it.
    Invoke-RestMethod -Uri ([uri]::new($Emulator.BaseUri, '_emulator/requests')) | ForEach-Object { $_ }
}

function Get-EmulatorTokenRequest {
    <#
    .SYNOPSIS
    The sign-in requests the emulator's authority and managed-identity endpoint received.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Emulator)
    Invoke-RestMethod -Uri ([uri]::new($Emulator.BaseUri, '_emulator/token-requests')) | ForEach-Object { $_ }
}

Export-ModuleMember -Function Get-EmulatorTenant, New-UnsignedJwt, Set-EmulatorFault, Set-EmulatorLogAnalyticsFault, Get-EmulatorWorkspaceTruth, Get-EmulatorRequest, Get-EmulatorTokenRequest, Get-DotnetHost, Get-PwshCommand, Invoke-ChildPwsh, Start-GraphEmulator, Stop-GraphEmulator, Get-EmulatorToken, Get-EmulatorTruth,
    Get-EmulatorAnchor, Get-EmulatorRequestCount, Clear-EmulatorRequestLog, Add-EmulatorLateRecord, Clear-EmulatorLateRecord
