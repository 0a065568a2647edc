#Requires -Version 7.4
# Get-SupportAccessRequest: the built module against the emulator, the way a user runs it
# (issue 12). The lifecycle's rules one by one are in xunit (RequestLifecycleTests); here, the
# emulator's stories end to end, from both sources and from the pipeline.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force
    $script:Emulator = Start-GraphEmulator
    $script:Workspace = 'b4c6d8e0-2f1a-4b3c-9d5e-7f8a9b0c1d2e'
    $graph = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
    $logAnalytics = Get-EmulatorToken -Emulator $Emulator -Claims @{ api = 'loganalytics' } | ConvertTo-SecureString -AsPlainText -Force
    Connect-SupportAccess -AccessToken $graph -LogAnalyticsAccessToken $logAnalytics -GraphEndpoint $Emulator.BaseUri -LogAnalyticsEndpoint $Emulator.BaseUri
    $script:Tenant = (Get-SupportAccessConnection -Current).TenantId
    $script:Fast = @{ RequestsPer10Seconds = 0; WarningAction = 'SilentlyContinue' }

    # Every property but AccessDuration of an active request, which grows with the clock.
    function script:Format-Request([object[]] $Requests) {
        $Requests | ForEach-Object {
            $fields = foreach ($property in $_.PSObject.Properties) {
                if ($property.Name -eq 'AccessDuration' -and $_.IsAccessActive) { continue }
                '{0}={1}' -f $property.Name, $property.Value
            }
            $fields -join '|'
        }
    }
}

AfterAll {
    Disconnect-SupportAccess
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Get-SupportAccessRequest' {
    It 'groups what it reads as it groups the same activities from the pipeline, or read back from their CSV' {
        $csv = Join-Path $TestDrive 'activities.csv'
        Get-SupportAccessActivity @Fast | Export-Csv -LiteralPath $csv -NoTypeInformation

        $read = @(Get-SupportAccessRequest @Fast)
        $piped = @(Get-SupportAccessActivity @Fast | Get-SupportAccessRequest -WarningAction SilentlyContinue)
        $imported = @(Import-Csv -LiteralPath $csv | Get-SupportAccessRequest -WarningAction SilentlyContinue)

        $read.Count | Should -BeGreaterThan 10
        $read[0] | Should -BeOfType ([SupportAccessLogs.SupportAccessRequest])
        Format-Request $piped | Should -Be (Format-Request $read)
        Format-Request $imported | Should -Be (Format-Request $read)
        # Every activity is in exactly one request.
        $ids = @($read.ActivityIds -split ';')
        $ids.Count | Should -Be (Import-Csv -LiteralPath $csv).Count
        @($ids | Sort-Object -Unique).Count | Should -Be $ids.Count
    }

    It 'writes requests newest first, each with its activities oldest first' {
        $requests = @(Get-SupportAccessRequest @Fast)
        $activities = @{}
        Get-SupportAccessActivity @Fast | ForEach-Object { $activities[$_.Id] = [datetime]$_.ActivityDateTime }

        for ($i = 1; $i -lt $requests.Count; $i++) {
            [datetime]$requests[$i].FirstActivityDateTime | Should -BeLessOrEqual ([datetime]$requests[$i - 1].FirstActivityDateTime)
        }
        foreach ($request in $requests) {
            $times = @($request.ActivityIds -split ';' | ForEach-Object { $activities[$_] })
            $times[0] | Should -Be ([datetime]$request.FirstActivityDateTime)
            $times[-1] | Should -Be ([datetime]$request.LastActivityDateTime)
            for ($i = 1; $i -lt $times.Count; $i++) { $times[$i] | Should -BeGreaterOrEqual $times[$i - 1] }
            $request.ActivityCount | Should -Be $times.Count
        }
    }

    It '-State and -Active choose among the same requests' {
        $all = @(Get-SupportAccessRequest @Fast)

        $ended = @(Get-SupportAccessRequest @Fast -State Revoked, Completed)
        $active = @(Get-SupportAccessRequest @Fast -Active)

        Format-Request $ended | Should -Be (Format-Request ($all | Where-Object State -in 'Revoked', 'Completed'))
        Format-Request $active | Should -Be (Format-Request ($all | Where-Object IsAccessActive))
        $active.Count | Should -BeGreaterThan 0
        $active | ForEach-Object {
            $_.AccessRemovedDateTime | Should -BeNullOrEmpty
            $_.AccessGrantedDateTime | Should -Not -BeNullOrEmpty
            $_.AccessDuration | Should -BeGreaterThan ([timespan]::Zero)
        }
    }

    It 'goes into Export-Csv flat, with ISO 8601 times and its own columns' {
        $csv = Join-Path $TestDrive 'requests.csv'

        Get-SupportAccessRequest @Fast | Export-Csv -LiteralPath $csv -NoTypeInformation
        $rows = @(Import-Csv -LiteralPath $csv)

        $rows[0].PSObject.Properties.Name | Should -Be @(
            'SupportRequestId', 'TenantId', 'TenantRole', 'State', 'CreatedDateTime', 'DecidedDateTime', 'DecidedBy',
            'AccessGrantedDateTime', 'AccessRemovedDateTime', 'RemovalKind', 'AccessDuration', 'IsAccessActive', 'IsTruncated',
            'ActivityCount', 'FirstActivityDateTime', 'LastActivityDateTime', 'ActivityIds', 'GroupedBy', 'GroupKey', 'AccessGrantCount')
        $rows.FirstActivityDateTime | ForEach-Object { $_ | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$' }
        @($rows | Where-Object CreatedDateTime).Count | Should -BeGreaterThan 0
        $rows | Where-Object CreatedDateTime | ForEach-Object { $_.CreatedDateTime | Should -Match 'Z$' }
    }

    It 'reports an input that is no activity, and still groups the rest' {
        $activities = @(Get-SupportAccessActivity @Fast -First 5)
        $bad = [pscustomobject]@{ Id = 'x'; ActivityDateTime = 'yesterday'; Activity = 'RequestCreated' }

        $requests = @($activities[0..1] + $bad + $activities[2..4] | Get-SupportAccessRequest -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InputNotAnActivity,*'
        $failures[0].Exception.Message | Should -Match "ActivityDateTime 'yesterday'"
        ($requests | Measure-Object ActivityCount -Sum).Sum | Should -Be 5
        { $bad | Get-SupportAccessRequest -ErrorAction Stop } | Should -Throw -ErrorId 'InputNotAnActivity,*'
    }

    It 'refuses reading parameters with pipeline input, before reading anything' {
        $activities = @(Get-SupportAccessActivity @Fast -First 2)
        { $activities | Get-SupportAccessRequest -StartTime (Get-Date).AddDays(-1) } | Should -Throw -ErrorId 'ReadParameterWithInput,*'
        { $activities | Get-SupportAccessRequest -WorkspaceId $Workspace } | Should -Throw '*choose them upstream*'
    }

    It 'needs a connection only to read, not to group piped activities' {
        $activities = @(Get-SupportAccessActivity @Fast)
        Disconnect-SupportAccess
        try {
            @($activities | Get-SupportAccessRequest -WarningAction SilentlyContinue).Count | Should -BeGreaterThan 0
            { Get-SupportAccessRequest } | Should -Throw -ErrorId 'NotConnected,*'
        }
        finally {
            $graph = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
            $logAnalytics = Get-EmulatorToken -Emulator $Emulator -Claims @{ api = 'loganalytics' } | ConvertTo-SecureString -AsPlainText -Force
            Connect-SupportAccess -AccessToken $graph -LogAnalyticsAccessToken $logAnalytics -GraphEndpoint $Emulator.BaseUri -LogAnalyticsEndpoint $Emulator.BaseUri
        }
    }

    It 'reads a workspace: each tenant''s requests apart, the Graph window''s requests alike' {
        $fromWorkspace = @(Get-SupportAccessRequest -WorkspaceId $Workspace -StartTime (Get-Date).AddDays(-170) -WarningAction SilentlyContinue)

        @($fromWorkspace.TenantId | Sort-Object -Unique).Count | Should -BeGreaterThan 1
        $fromWorkspace | ForEach-Object { $_.ActivityIds -split ';' } | Group-Object | Where-Object Count -gt 1 | Should -BeNullOrEmpty
        $fromWorkspace.Count | Should -BeGreaterThan @(Get-SupportAccessRequest @Fast).Count
    }

    It 'says in Verbose what shapes of record it read, with the count that named no request' {
        $said = Get-SupportAccessRequest @Fast -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $activities = @(Get-SupportAccessActivity @Fast)
        $withoutId = @($activities | Where-Object { -not $_.SupportRequestId }).Count

        $shapes = @($said | Where-Object { "$_" -like 'Record shapes:*' })
        $shapes.Count | Should -Be 1
        "$($shapes[0])" | Should -Match "^Record shapes: $($activities.Count) support access records; additionalDetails keys .*SupportRequestId \(\d+\)"
        "$($shapes[0])" | Should -Match "; $withoutId named no support request"
        "$($shapes[0])" | Should -Match 'target resource types Other \(\d+\)'
        $said | Where-Object { "$_" -like 'Grouping * activities into * support requests.' } | Should -Not -BeNullOrEmpty
    }

    It 'has help with examples and a table view' {
        $help = Get-Help Get-SupportAccessRequest -Full
        @($help.examples.example).Count | Should -BeGreaterOrEqual 5
        $help.parameters.parameter.name | Should -Contain 'Active'
        (Get-SupportAccessRequest @Fast | Select-Object -First 3 | Format-Table | Out-String -Width 200) | Should -Match 'SupportRequestId \(or key\)\s+TenantId\s+State\s+Granted \(UTC\)\s+Removed \(UTC\)\s+Duration\s+Created \(UTC\)\s+DecidedBy'
        (Get-Command Get-SupportAccessRequest).Parameters.State.ParameterType | Should -Be ([SupportAccessLogs.RequestState[]])
    }
}

# The emulator's stories (tests/GraphEmulator/README.md, "Stories"), each request written out by
# hand: every step lies at a fixed offset from the emulator's anchor, with fixed ids.
Describe 'Get-SupportAccessRequest on the demo tenant''s stories' {
    BeforeAll {
        $script:Anchor = (Get-EmulatorAnchor -Emulator $Emulator).UtcDateTime
        $script:Fabrikam = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
        $script:Admin = 'admin@contoso.onmicrosoft.com'
        $script:Service = 'Microsoft Support Access Management'

        function script:At([string] $Offset) { $Anchor + [timespan]::Parse($Offset, [cultureinfo]::InvariantCulture) }
        function script:Steps([int] $Story, [int[]] $Numbers) {
            ($Numbers | ForEach-Object { '5e000000-{0:D4}-4000-8000-{1:D12}' -f $Story, $_ }) -join ';'
        }

        # One request as written by hand. Times are offsets from the anchor ('-6.00:00' is six
        # days before it); $null where the request has none.
        function script:Should-BeRequest($Actual, [hashtable] $Expected) {
            $Actual | Should -Not -BeNullOrEmpty -Because "request $($Expected.Id) should be there"
            @($Actual).Count | Should -Be 1 -Because "request $($Expected.Id) should be one object"
            $because = "of request $($Expected.Id) ($($Expected.TenantId ?? $Tenant), $($Expected.TenantRole))"
            $Actual.SupportRequestId | Should -Be $Expected.Id -Because $because
            $Actual.TenantId | Should -Be ($Expected.TenantId ?? $Tenant) -Because $because
            $Actual.TenantRole | Should -Be $Expected.TenantRole -Because $because
            $Actual.State | Should -Be $Expected.State -Because $because
            foreach ($time in 'Created', 'Decided', 'AccessGranted', 'AccessRemoved', 'FirstActivity', 'LastActivity') {
                $value = $Actual."${time}DateTime"
                if ($null -eq $Expected[$time]) { $value | Should -BeNullOrEmpty -Because "$time $because" }
                else { [datetime]$value | Should -Be (At $Expected[$time]) -Because "$time $because" }
            }
            $Actual.DecidedBy | Should -Be ($Expected.DecidedBy ?? '') -Because $because
            $Actual.RemovalKind | Should -Be ($Expected.RemovalKind ?? 'None') -Because $because
            $Actual.IsAccessActive | Should -Be ([bool]$Expected.Active) -Because $because
            $Actual.IsTruncated | Should -Be ([bool]$Expected.Truncated) -Because $because
            $Actual.ActivityCount | Should -Be $Expected.Count -Because $because
            $Actual.ActivityIds | Should -Be $Expected.Ids -Because $because
            $Actual.GroupedBy | Should -Be ($Expected.GroupedBy ?? 'SupportRequestId') -Because $because
            if ($Expected.Active) {
                # To now: from the grant to the module's clock, which is a little past the anchor.
                $Actual.AccessDuration | Should -BeGreaterOrEqual ($Anchor - (At $Expected.AccessGranted)) -Because $because
                $Actual.AccessDuration | Should -BeLessThan ($Anchor - (At $Expected.AccessGranted) + [timespan]::FromMinutes(30)) -Because $because
            }
            elseif ($Expected.Duration) { $Actual.AccessDuration | Should -Be ([timespan]::Parse($Expected.Duration, [cultureinfo]::InvariantCulture)) -Because $because }
            else { $Actual.AccessDuration | Should -BeNullOrEmpty -Because $because }
        }

        # What Graph's last 30 days hold of each story (S8's resource side is Fabrikam's, not served).
        $script:FromGraph = @(
            @{ Id = '2611200010000001'; State = 'Approved'; Created = '-6.00:00'; Decided = '-5.22:00'; DecidedBy = $Admin; AccessGranted = '-5.21:59'
               FirstActivity = '-6.00:00'; LastActivity = '-5.21:59'; Active = $true; Count = 3; Ids = Steps 1 (1..3) }
            @{ Id = '2611200010000002'; State = 'Revoked'; Created = '-12.00:00'; Decided = '-11.23:00'; DecidedBy = "o'brien@contoso.com"; AccessGranted = '-11.22:59'
               AccessRemoved = '-11.00:00'; RemovalKind = 'Manual'; Duration = '22:59'; FirstActivity = '-12.00:00'; LastActivity = '-11.00:00'; Count = 4; Ids = Steps 2 (1..4) }
            @{ Id = '2611200010000003'; State = 'Completed'; Created = '-20.00:00'; Decided = '-19.23:30'; DecidedBy = 'zoe.angstrom@contoso.com'; AccessGranted = '-19.23:29'
               AccessRemoved = '-18.00:00'; RemovalKind = 'Closure'; Duration = '1.23:29'; FirstActivity = '-20.00:00'; LastActivity = '-18.00:00'; Count = 4; Ids = Steps 3 (1..4) }
            @{ Id = '2611200010000004'; State = 'Rejected'; Created = '-9.00:00'; Decided = '-8.21:00'; DecidedBy = $Admin
               FirstActivity = '-9.00:00'; LastActivity = '-8.21:00'; Count = 2; Ids = Steps 4 (1..2) }
            @{ Id = '2611200010000005'; State = 'Canceled'; Created = '-15.00:00'; Decided = '-14.19:00'; DecidedBy = $Service
               FirstActivity = '-15.00:00'; LastActivity = '-14.19:00'; Count = 2; Ids = Steps 5 (1..2) }
            @{ Id = '2611200010000006'; State = 'Pending'; Created = '-1.00:00'; FirstActivity = '-1.00:00'; LastActivity = '-1.00:00'; Count = 1; Ids = Steps 6 1 }
            @{ Id = '2611200010000007'; State = 'Completed'; AccessRemoved = '-25.00:00'; RemovalKind = 'Closure'; Truncated = $true
               FirstActivity = '-25.00:00'; LastActivity = '-25.00:00'; Count = 1; Ids = Steps 7 4 }
            @{ Id = '2611200010000008'; TenantRole = 'SupportRequestTenant'; State = 'Approved'; Created = '-8.00:00'; Decided = '-7.22:00'; DecidedBy = $Admin
               FirstActivity = '-8.00:00'; LastActivity = '-7.22:00'; Count = 2; Ids = Steps 8 (1..2) }
            @{ Id = '2611200010000009'; TenantRole = 'ResourceTenant'; State = 'Revoked'; AccessGranted = '-5.00:00'; AccessRemoved = '-4.00:00'; RemovalKind = 'Manual'
               Duration = '1.00:00'; FirstActivity = '-5.00:00'; LastActivity = '-4.00:00'; Count = 2; Ids = Steps 9 (1..2) }
            @{ Id = '2611200010000010'; TenantRole = 'ResourceTenant'; State = 'Approved'; AccessGranted = '-2.00:00'; Active = $true
               FirstActivity = '-2.00:00'; LastActivity = '-2.00:00'; Count = 1; Ids = Steps 10 1 }
            @{ Id = ''; GroupedBy = 'TargetResourceId'; State = 'Approved'; Created = '-3.00:00'; Decided = '-2.23:00'; DecidedBy = $Admin; AccessGranted = '-2.22:59'
               Active = $true; FirstActivity = '-3.00:00'; LastActivity = '-2.22:59'; Count = 3; Ids = Steps 11 (1..3) }
        )

        function script:Find([object[]] $Requests, [hashtable] $Expected) {
            $first = $Expected.Ids -split ';' | Select-Object -First 1
            $Requests | Where-Object { ($_.ActivityIds -split ';') -contains $first }
        }
    }

    It 'reads every story from Graph as written by hand, each field' {
        $requests = @(Get-SupportAccessRequest @Fast)
        foreach ($expected in $FromGraph) { Should-BeRequest (Find $requests $expected) $expected }
    }

    It 'gives the same objects for the stories from the pipeline and from a CSV read back' {
        $csv = Join-Path $TestDrive 'stories.csv'
        Get-SupportAccessActivity @Fast | Export-Csv -LiteralPath $csv -NoTypeInformation
        $piped = @(Get-SupportAccessActivity @Fast | Get-SupportAccessRequest -WarningAction SilentlyContinue)
        $imported = @(Import-Csv -LiteralPath $csv | Get-SupportAccessRequest -WarningAction SilentlyContinue)
        foreach ($expected in $FromGraph) {
            Should-BeRequest (Find $piped $expected) $expected
            Should-BeRequest (Find $imported $expected) $expected
        }
    }

    It '-Active names exactly the stories whose access is still granted' {
        $active = @(Get-SupportAccessRequest @Fast -Active)
        foreach ($expected in $FromGraph) {
            $found = @(Find $active $expected)
            $found.Count | Should -Be ([int][bool]$expected.Active) -Because "story $($expected.Ids) is $(if (-not $expected.Active) { 'not ' })active"
        }
        @(Get-SupportAccessRequest @Fast -State Revoked | Where-Object SupportRequestId -like '26112000100000*').SupportRequestId |
            Sort-Object | Should -Be @('2611200010000002', '2611200010000009')
    }

    It 'reads the whole life of a request that began before Graph''s 30 days from the workspace, and each side of a cross-tenant request apart' {
        $requests = @(Get-SupportAccessRequest -WorkspaceId $Workspace -StartTime $Anchor.AddDays(-60) -WarningAction SilentlyContinue)

        Should-BeRequest (Find $requests @{ Ids = Steps 7 1 }) @{
            Id = '2611200010000007'; State = 'Completed'; Created = '-35.00:00'; Decided = '-34.23:00'; DecidedBy = $Admin; AccessGranted = '-34.22:59'
            AccessRemoved = '-25.00:00'; RemovalKind = 'Closure'; Duration = '9.22:59'; FirstActivity = '-35.00:00'; LastActivity = '-25.00:00'; Count = 4; Ids = Steps 7 (1..4) }
        Should-BeRequest (Find $requests @{ Ids = Steps 8 1 }) ($FromGraph | Where-Object Id -eq '2611200010000008')
        Should-BeRequest (Find $requests @{ Ids = Steps 8 3 }) @{
            Id = '2611200010000008'; TenantId = $Fabrikam; TenantRole = 'ResourceTenant'; State = 'Completed'; AccessGranted = '-7.21:58'
            AccessRemoved = '-7.00:00'; RemovalKind = 'Closure'; Duration = '21:58'; FirstActivity = '-7.21:58'; LastActivity = '-7.00:00'; Count = 2; Ids = Steps 8 (3..4) }
        foreach ($expected in $FromGraph | Where-Object Id -ne '2611200010000007') { Should-BeRequest (Find $requests $expected) $expected }
    }

    It 'marks a request truncated when the window starts after it began' {
        $requests = @(Get-SupportAccessRequest @Fast -StartTime $Anchor.AddDays(-11.5))

        Should-BeRequest (Find $requests @{ Ids = Steps 2 4 }) @{
            Id = '2611200010000002'; State = 'Revoked'; AccessRemoved = '-11.00:00'; RemovalKind = 'Manual'; Truncated = $true
            FirstActivity = '-11.00:00'; LastActivity = '-11.00:00'; Count = 1; Ids = Steps 2 4 }
    }
}
