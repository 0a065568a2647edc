#Requires -Version 7.4
# Get-SupportAccessActivity -WorkspaceId: the built module against the emulator's Log Analytics
# query API, the way a user runs it (issue 11).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force
    $script:Emulator = Start-GraphEmulator -LogAnalyticsRowCap 1000 -LogAnalyticsBulkRows 20000
    $script:Workspace = 'b4c6d8e0-2f1a-4b3c-9d5e-7f8a9b0c1d2e'
    $script:SecondWorkspace = 'e7f9a1b3-5c4d-4e6f-8a0b-2c3d4e5f6a7b'

    function script:Connect-Workspace([hashtable] $LogAnalyticsClaims = @{}) {
        $graph = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
        $claims = @{ api = 'loganalytics' } + $LogAnalyticsClaims
        $logAnalytics = Get-EmulatorToken -Emulator $Emulator -Claims $claims | ConvertTo-SecureString -AsPlainText -Force
        Connect-SupportAccess -AccessToken $graph -LogAnalyticsAccessToken $logAnalytics -GraphEndpoint $Emulator.BaseUri -LogAnalyticsEndpoint $Emulator.BaseUri
        Clear-EmulatorRequestLog -Emulator $Emulator
    }

    # The emulator's clock: its data ends at its anchor, which is now at start.
    $script:End = [datetime]::UtcNow
}

AfterAll {
    Disconnect-SupportAccess
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Get-SupportAccessActivity -WorkspaceId' {
    BeforeEach { Connect-Workspace }

    It 'reads 90 days, past Graph''s 30, every activity once, newest first, into Export-Csv' {
        $start = $End.AddDays(-90)
        $truth = Get-EmulatorWorkspaceTruth -Emulator $Emulator -Workspace $Workspace -Start $start
        $csv = Join-Path $TestDrive 'year.csv'

        Get-SupportAccessActivity -WorkspaceId $Workspace -StartTime $start -WarningAction SilentlyContinue |
            Export-Csv -LiteralPath $csv -NoTypeInformation
        $rows = @(Import-Csv -LiteralPath $csv)

        $truth.supportAccessCount | Should -BeGreaterThan 5000
        $rows.Count | Should -Be $truth.supportAccessCount
        @($rows.Id | Sort-Object -Unique).Count | Should -Be $rows.Count
        $rows[0].ActivityDateTime | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$'
        $rows[0].TenantId | Should -Be (Get-SupportAccessConnection -Current).TenantId
        $times = @($rows.ActivityDateTime | ForEach-Object { [datetimeoffset]::Parse($_, [cultureinfo]::InvariantCulture) })
        for ($i = 1; $i -lt $times.Count; $i++) { $times[$i] | Should -BeLessOrEqual $times[$i - 1] }
    }

    It 'is not held to 30 days, and the 30-day error on the Graph path points at -WorkspaceId' {
        $failure = $null
        try { Get-SupportAccessActivity -StartTime $End.AddDays(-60) } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'StartTimeBeyondRetention,*'
        $failure.Exception.Message | Should -Match '-WorkspaceId'
    }

    It 'reads two workspaces in one query, each activity saying whose tenant it is' {
        $start = $End.AddDays(-170)
        $activities = @(Get-SupportAccessActivity -WorkspaceId $Workspace, $SecondWorkspace -StartTime $start -WarningAction SilentlyContinue)
        $tenants = foreach ($id in $Workspace, $SecondWorkspace) {
            (Get-EmulatorWorkspaceTruth -Emulator $Emulator -Workspace $id -Start $start).supportAccessByTenant.PSObject.Properties.Name
        }
        @($activities.TenantId | Sort-Object -Unique) | Should -Be @($tenants | Sort-Object -Unique)
        @($tenants | Sort-Object -Unique).Count | Should -BeGreaterThan 1
        $paths = @(Get-EmulatorRequest -Emulator $Emulator | Where-Object path -Like '/v1/workspaces/*' | Select-Object -ExpandProperty path -Unique)
        $paths | Should -Be @("/v1/workspaces/$Workspace/query")
    }

    It '-First 3 stops further queries' {
        $activities = @(Get-SupportAccessActivity -WorkspaceId $Workspace -StartTime $End.AddDays(-90) -First 3 -WarningAction SilentlyContinue)
        $sent = @(Get-EmulatorRequest -Emulator $Emulator | Where-Object path -Like '/v1/workspaces/*').Count
        Start-Sleep -Milliseconds 300
        $activities.Count | Should -Be 3
        @(Get-EmulatorRequest -Emulator $Emulator | Where-Object path -Like '/v1/workspaces/*').Count | Should -Be $sent
        $raw = $activities[0].GetRawRecord() | ConvertFrom-Json
        $raw.Id | Should -Be $activities[0].Id
        $raw.AADTenantId | Should -Be $activities[0].TenantId
        $raw.InitiatedBy | Should -Not -BeOfType [string] -Because 'a dynamic column is the JSON it holds'
        $sent | Should -BeLessThan 60
    }

    It 'runs -Category and an -InitiatedBy wildcard in the workspace: the activities of filtering everything, fewer rows, the KQL in Verbose' {
        $start = $End.AddDays(-30)
        $everything = @(Get-SupportAccessActivity -WorkspaceId $Workspace -StartTime $start -WarningAction SilentlyContinue)
        $expected = @($everything | Where-Object { $_.Category -eq 'CrossTenant' -and ($_.InitiatedBy -like '*a*' -or $_.InitiatorId -like '*a*') })
        Clear-EmulatorRequestLog -Emulator $Emulator

        $verbose = @(Get-SupportAccessActivity -WorkspaceId $Workspace -StartTime $start -Category CrossTenant -InitiatedBy '*A*' -Verbose -WarningAction SilentlyContinue 4>&1)
        $filtered = @($verbose | Where-Object { $_ -is [SupportAccessLogs.SupportAccessActivity] })
        $messages = @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)

        $expected.Count | Should -BeGreaterThan 0
        $expected.Count | Should -BeLessThan ($everything.Count / 2)
        @($filtered.Id) | Should -Be @($expected.Id)
        $messages | Should -Contain 'Log Analytics: -Category, -InitiatedBy are applied in the workspace by the module''s own rules as KQL (Get-SupportAccessKql), so only matching rows travel; the module checks each row again.'
        @($messages | Where-Object { $_ -like 'Log Analytics: the rows query*' -and $_ -like '*| where Category in ("CrossTenant") and (InitiatedBy matches regex*' }).Count | Should -Be 1
        @($messages | Where-Object { $_ -like "*$($everything.Count) rows in the window, $($expected.Count) of them match the filters*" }).Count | Should -Be 1
        $kql = @(Get-EmulatorRequest -Emulator $Emulator | Where-Object path -Like '/v1/workspaces/*' | ForEach-Object kql)
        $kql | Should -Not -BeNullOrEmpty
        $kql | ForEach-Object { $_ | Should -Match 'Id in \(_MatchingActivities\)' }
    }

    It 'runs Get-SupportAccessRequest -State and -Active in the workspace: the requests of grouping everything' {
        $start = $End.AddDays(-30)
        $everything = @(Get-SupportAccessRequest -WorkspaceId $Workspace -StartTime $start -WarningAction SilentlyContinue)
        Clear-EmulatorRequestLog -Emulator $Emulator

        $active = @(Get-SupportAccessRequest -WorkspaceId $Workspace -StartTime $start -Active -WarningAction SilentlyContinue)
        $completed = @(Get-SupportAccessRequest -WorkspaceId $Workspace -StartTime $start -State Completed, Revoked -WarningAction SilentlyContinue)

        $describe = { $_.TenantId, $_.GroupKey, $_.State, $_.ActivityCount, $_.AccessGrantedDateTime, $_.IsTruncated -join '|' }
        $active.Count | Should -BeGreaterThan 0
        @($active | ForEach-Object $describe) | Should -Be @($everything | Where-Object IsAccessActive | ForEach-Object $describe)
        @($completed | ForEach-Object $describe) | Should -Be @($everything | Where-Object { $_.State.ToString() -in 'Completed', 'Revoked' } | ForEach-Object $describe)
        @(Get-EmulatorRequest -Emulator $Emulator | Where-Object path -Like '/v1/workspaces/*' | Where-Object kql -Like '*Id in (_MatchingRequestActivities)*').Count | Should -BeGreaterThan 1
    }

    It 'treats an -InitiatedBy with quotes as data' {
        $activities = @(Get-SupportAccessActivity -WorkspaceId $Workspace -StartTime $End.AddDays(-10) -InitiatedBy 'x" or 1==1 //@contoso.com' -WarningAction SilentlyContinue)
        $activities.Count | Should -Be 0
        $queries = @(Get-EmulatorRequest -Emulator $Emulator | Where-Object path -Like '/v1/workspaces/*')
        $queries | ForEach-Object { $_.status | Should -Be 200 }
    }

    It 'never shows the Log Analytics token, in any stream, with -Verbose and on failure' {
        $token = Get-EmulatorToken -Emulator $Emulator -Claims @{ api = 'loganalytics' }
        $graph = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
        Connect-SupportAccess -AccessToken $graph -LogAnalyticsAccessToken ($token | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $Emulator.BaseUri -LogAnalyticsEndpoint $Emulator.BaseUri
        $everything = @(Get-SupportAccessActivity -WorkspaceId $Workspace -StartTime $End.AddDays(-3) -Verbose *>&1) +
            @(try { Get-SupportAccessActivity -WorkspaceId '11111111-2222-4333-8444-555555555555' -Verbose *>&1 } catch { $_ })
        $text = ($everything | ForEach-Object { $_ | Out-String }) -join "`n"
        $text | Should -Match 'Log Analytics'
        # The request log is the read's own (issue 23): a policy of its pipeline, no process-wide listener.
        $text | Should -Match 'Log Analytics request: POST http://127\.0\.0\.1:\d+/v1/workspaces/'
        $text | Should -Match 'Log Analytics answer: 200 OK to POST '
        $text | Should -Not -Match 'Azure\.Core: '
        $text | Should -Not -Match 'Bearer '
        $text | Should -Not -Match ([regex]::Escape($token.Split('.')[1]))
        (Get-SupportAccessConnection | ConvertTo-Json -Depth 3) | Should -Not -Match ([regex]::Escape($token.Split('.')[1]))
    }

    It 'refuses a workspace id that is not a GUID before any request' {
        { Get-SupportAccessActivity -WorkspaceId 'law-contoso-audit' } | Should -Throw -ErrorId 'WorkspaceIdNotGuid,*'
        @(Get-EmulatorRequest -Emulator $Emulator).Count | Should -Be 0
    }

    It 'names the role that works when the workspace refuses (403)' {
        Connect-Workspace @{ user = 'helpdesk' }
        $failure = $null
        try { Get-SupportAccessActivity -WorkspaceId $Workspace -StartTime $End.AddDays(-5) } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'LogAnalyticsForbidden,*'
        $failure.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failure.Exception.Message | Should -Match 'Log Analytics Reader'
    }

    It 'says how to get a Log Analytics token when the connection has only a Graph token' {
        $graph = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
        Connect-SupportAccess -AccessToken $graph -GraphEndpoint $Emulator.BaseUri
        { Get-SupportAccessActivity -WorkspaceId $Workspace } | Should -Throw -ErrorId 'LogAnalyticsTokenMissing,*'
    }

    It 'refuses a Log Analytics token for another audience at connect' {
        $graph = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
        { Connect-SupportAccess -AccessToken $graph -LogAnalyticsAccessToken $graph -GraphEndpoint $Emulator.BaseUri -LogAnalyticsEndpoint $Emulator.BaseUri } |
            Should -Throw -ErrorId 'LogAnalyticsAccessTokenWrongAudience,*'
    }
}

Describe 'Stopping a workspace read' {
    It 'stops on Ctrl+C while a slow query is in flight, cancels that query, and sends none after it' {
        # The query's answer would take ten minutes (the emulator's longest delay, under a 600 s
        # wait): a Stop that waited for it would outlast the child's 120 s; the query closed by
        # the client (logged while the child still runs) is the one the stop cancelled.
        $slow = Start-GraphEmulator -LogAnalyticsDelayMs 600000
        try {
            $graph = Get-EmulatorToken -Emulator $slow
            $logAnalytics = Get-EmulatorToken -Emulator $slow -Claims @{ api = 'loganalytics' }
            $script = @"
`$ps = [powershell]::Create()
`$null = `$ps.AddScript({
    param(`$Manifest, `$Graph, `$LogAnalytics, `$Uri, `$Workspace)
    Import-Module `$Manifest
    Connect-SupportAccess -AccessToken (ConvertTo-SecureString `$Graph -AsPlainText -Force) -LogAnalyticsAccessToken (ConvertTo-SecureString `$LogAnalytics -AsPlainText -Force) -GraphEndpoint `$Uri -LogAnalyticsEndpoint `$Uri
    Write-Information 'reading'
    Get-SupportAccessActivity -WorkspaceId `$Workspace -StartTime ([datetime]::UtcNow.AddDays(-20)) -PageTimeoutSeconds 600
}).AddArgument('$((Resolve-Path (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1')).Path)').AddArgument('$graph').AddArgument('$logAnalytics').AddArgument('$($slow.BaseUri)').AddArgument('$Workspace')
`$handle = `$ps.BeginInvoke()
`$deadline = [datetime]::UtcNow.AddSeconds(60)
while (`$ps.Streams.Information.Count -eq 0 -and -not `$handle.IsCompleted -and [datetime]::UtcNow -lt `$deadline) { Start-Sleep -Milliseconds 50 }
Start-Sleep -Seconds 2 # the count query goes out
`$ps.Stop()
'state ' + `$ps.InvocationStateInfo.State + ', completed ' + `$handle.IsCompleted
# Only against a hang: the emulator logs a query once its connection ends.
`$deadline = [datetime]::UtcNow.AddSeconds(60)
do {
    `$closed = @(Invoke-RestMethod -Uri '$($slow.BaseUri)_emulator/requests' | ForEach-Object { `$_ } | Where-Object path -Like '/v1/workspaces/*')
    if (`$closed.Count -gt 0) { break }
    Start-Sleep -Milliseconds 100
} while ([datetime]::UtcNow -lt `$deadline)
'queries closed while the child runs: ' + `$closed.Count
"@
            $result = Invoke-ChildPwsh -Script $script -TimeoutSeconds 120
            $result.Output | Should -Match 'state Stopped, completed True'
            $result.Output | Should -Match 'queries closed while the child runs: 1' -Because 'the query in flight was cancelled, not left to its ten-minute answer'
            Start-Sleep -Seconds 2
            $queries = @(Get-EmulatorRequest -Emulator $slow | Where-Object path -Like '/v1/workspaces/*')
            $queries.Count | Should -Be 1 -Because 'the count query was in flight; nothing followed it'
        }
        finally {
            Stop-GraphEmulator -Emulator $slow
        }
    }
}
