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
    $script:Tenant = (Get-SupportAccessConnection).TenantId
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
            'ActivityCount', 'FirstActivityDateTime', 'LastActivityDateTime', 'ActivityIds', 'GroupedBy')
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
        (Get-SupportAccessRequest @Fast | Select-Object -First 3 | Format-Table | Out-String) | Should -Match 'SupportRequestId\s+State\s+Created \(UTC\)\s+DecidedBy'
        (Get-Command Get-SupportAccessRequest).Parameters.State.ParameterType | Should -Be ([SupportAccessLogs.RequestState[]])
    }
}
