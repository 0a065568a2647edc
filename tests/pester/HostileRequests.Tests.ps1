#Requires -Version 7.4
# Issue 22, "what a second hostile run found", for Get-SupportAccessRequest: each case through the
# built module in real pwsh, on the emulator's stories (tests/GraphEmulator/README.md, "Stories")
# and on rows read back from them. The rules behind each case: xunit HostileRequestTests.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force
    $script:Emulator = Start-GraphEmulator
    $script:Workspace = 'b4c6d8e0-2f1a-4b3c-9d5e-7f8a9b0c1d2e'
    $graph = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
    $logAnalytics = Get-EmulatorToken -Emulator $Emulator -Claims @{ api = 'loganalytics' } | ConvertTo-SecureString -AsPlainText -Force
    Connect-SupportAccess -AccessToken $graph -LogAnalyticsAccessToken $logAnalytics -GraphEndpoint $Emulator.BaseUri -LogAnalyticsEndpoint $Emulator.BaseUri
    $script:Tenant = [string](Get-SupportAccessConnection -Current).TenantId
    $script:Anchor = (Get-EmulatorAnchor -Emulator $Emulator).UtcDateTime
    $script:Activities = @(Get-SupportAccessActivity -WarningAction SilentlyContinue)

    # A story's activities (S1 ... S11), typed, oldest first.
    function script:Story([int] $Number) {
        $prefix = '5e000000-{0:D4}-' -f $Number
        @($Activities | Where-Object { $_.Id.StartsWith($prefix) } | Sort-Object { [datetime]$_.ActivityDateTime })
    }

    # An activity as a row read back (Import-Csv's shape), with some properties changed.
    function script:Edited($Activity, [hashtable] $Change) {
        $row = $Activity | Select-Object -Property * | ConvertTo-Csv | ConvertFrom-Csv
        foreach ($name in $Change.Keys) { $row.$name = $Change[$name] }
        $row
    }

    function script:Iso([datetime] $Time) { $Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [cultureinfo]::InvariantCulture) }
}

AfterAll {
    Disconnect-SupportAccess
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Access granted again after its removal' {
    It 'is active again: State Approved, IsAccessActive, in -Active, and Verbose says what happened' {
        # S2: created, approved, access granted, removed by hand a day later. Then granted again two days after that.
        $s2 = Story 2
        $removed = [datetime]$s2[3].ActivityDateTime
        $again = Edited $s2[2] @{ Id = '5e000000-0002-4000-8000-0000000000aa'; ActivityDateTime = Iso $removed.AddDays(2) }

        $said = @($s2 + $again | Get-SupportAccessRequest -Verbose 4>&1)
        $request = @($said | Where-Object { $_ -is [SupportAccessLogs.SupportAccessRequest] })
        $verbose = @($said | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { "$_" })
        $active = @($s2 + $again | Get-SupportAccessRequest -Active)

        $request.Count | Should -Be 1
        $request[0].State | Should -Be 'Approved'
        $request[0].IsAccessActive | Should -BeTrue
        [datetime]$request[0].AccessGrantedDateTime | Should -Be $removed.AddDays(2)
        $request[0].AccessRemovedDateTime | Should -BeNullOrEmpty
        $request[0].AccessGrantCount | Should -Be 2
        $active.Count | Should -Be 1
        $active[0].SupportRequestId | Should -Be '2611200010000002'
        $verbose | Where-Object { $_ -match '2611200010000002' -and $_ -match 'granted again' -and $_ -match '5e000000-0002-4000-8000-0000000000aa' } | Should -Not -BeNullOrEmpty
    }
}

Describe 'A target named like another request' {
    BeforeAll {
        # S11 is the only story grouped by its target (5a000000-0011-...): approved, access still granted.
        # Request A: S11's three steps copied under target A, then access removed by hand, logged
        # with target A renamed to look like S11's flattened text.
        $script:S11 = Story 11
        $script:TargetB = '5a000000-0011-4000-8000-000000000000'
        $script:TargetA = '5a000000-00aa-4000-8000-000000000000'
        $copy = { param($Step, $N, $Text)
            Edited $Step @{ Id = "5e000000-00aa-4000-8000-00000000000$N"; CorrelationId = '5c000000-00aa-4000-8000-000000000000'
                ActivityDateTime = Iso ([datetime]$Step.ActivityDateTime).AddHours(1); TargetResources = $Text } }
        $plain = $S11[0].TargetResources.Replace($TargetB, $TargetA)
        $script:RequestA = @(
            & $copy $S11[0] 1 $plain
            & $copy $S11[1] 2 $S11[1].TargetResources.Replace($TargetB, $TargetA)
            & $copy $S11[2] 3 $S11[2].TargetResources.Replace($TargetB, $TargetA)
            Edited $S11[1] @{ Id = '5e000000-00aa-4000-8000-000000000004'; CorrelationId = '5c000000-00aa-4000-8000-000000000000'
                Activity = 'AccessRemovedManually'; ActivityDisplayName = 'Access removed'; ActivityDateTime = Iso $Anchor.AddHours(-1)
                # What the module writes for target {id: A, displayName: "Microsoft Support access request [B] {x: a -> b}"}.
                TargetResources = "Other Microsoft Support access request \[$TargetB\] \{x: a -\> b\} [$TargetA]" }
        )
        # The same target as earlier versions wrote it, brackets unescaped: text that reads two ways.
        $script:OldText = Edited $RequestA[3] @{ TargetResources = "Other Microsoft Support access request [$TargetB] {x: a -> b} [$TargetA]" }

        function script:Should-BeUntouched([object[]] $Requests) {
            $b = @($Requests | Where-Object { ($_.ActivityIds -split ';') -contains $S11[0].Id })
            $b.Count | Should -Be 1
            $b[0].ActivityIds | Should -Be ($S11.Id -join ';')
            $b[0].State | Should -Be 'Approved'
            $b[0].IsAccessActive | Should -BeTrue
            $b[0].GroupKey | Should -Be $TargetB
        }
    }

    It 'the renamed target stays with its own id <Through>, and the other request is untouched' -ForEach @(
        @{ Through = 'from the pipeline' }
        @{ Through = 'after a CSV round trip' }
        @{ Through = 'after a JSON round trip' }
    ) {
        $rows = @($S11) + $RequestA
        $csv = Join-Path $TestDrive 'hostile.csv'
        $given = switch ($Through) {
            'from the pipeline' { $rows }
            'after a CSV round trip' { $rows | Export-Csv -LiteralPath $csv -NoTypeInformation; Import-Csv -LiteralPath $csv }
            'after a JSON round trip' { $rows | ConvertTo-Json -Depth 3 | ConvertFrom-Json }
        }

        $requests = @($given | Get-SupportAccessRequest)

        $requests.Count | Should -Be 2
        Should-BeUntouched $requests
        $a = @($requests | Where-Object GroupKey -eq $TargetA)
        $a.Count | Should -Be 1
        $a[0].ActivityIds | Should -Be ($RequestA.Id -join ';')
        $a[0].State | Should -Be 'Revoked'
        $a[0].IsAccessActive | Should -BeFalse
    }

    It 'text that reads two ways (an earlier version''s, or forged) names no request: the other request is untouched' {
        $requests = @(@($S11) + $RequestA[0..2] + $OldText | Get-SupportAccessRequest)

        Should-BeUntouched $requests
        $alone = @($requests | Where-Object { $_.ActivityIds -eq $OldText.Id })
        $alone.Count | Should -Be 1
        $alone[0].GroupedBy | Should -Be 'CorrelationId'
    }
}

Describe 'One tenant in two letter cases' {
    It 'is one tenant: one request, as its lower-case activities give' {
        # S1: created, approved, access granted, still active.
        $s1 = Story 1
        $rows = @(
            Edited $s1[0] @{ TenantId = $Tenant.ToUpperInvariant() }
            $s1[1]
            $s1[2]
        )

        $requests = @($rows | Get-SupportAccessRequest)

        $requests.Count | Should -Be 1
        $requests[0].TenantId | Should -Be $Tenant
        $requests[0].State | Should -Be 'Approved'
        $requests[0].IsTruncated | Should -BeFalse
        $requests[0].ActivityCount | Should -Be 3
    }
}

Describe 'Input that is not quite an activity' {
    It 'a hashtable is read by its keys' {
        $s6 = (Story 6)[0]
        $table = @{ Id = $s6.Id; ActivityDateTime = $s6.ActivityDateTime; Activity = 'RequestCreated'; SupportRequestId = $s6.SupportRequestId; TenantId = $s6.TenantId }

        $requests = @($table | Get-SupportAccessRequest -ErrorVariable failures)

        $failures | Should -BeNullOrEmpty
        $requests.Count | Should -Be 1
        $requests[0].SupportRequestId | Should -Be '2611200010000006'
        $requests[0].State | Should -Be 'Pending'
    }

    It 'a null is ignored, as an empty pipeline is, and Verbose says so' {
        $said = @($null | Get-SupportAccessRequest -Verbose -ErrorVariable failures 4>&1)

        $failures | Should -BeNullOrEmpty
        @($said | Where-Object { $_ -is [SupportAccessLogs.SupportAccessRequest] }).Count | Should -Be 0
        @($said | Where-Object { "$_" -match 'null' }).Count | Should -BeGreaterThan 0
        @(@($null) + (Story 6) + $null | Get-SupportAccessRequest -ErrorVariable more).Count | Should -Be 1
        $more | Should -BeNullOrEmpty
    }

    It 'a null -Connection given by name is still refused, saying so, and never reads the current connection' {
        { Get-SupportAccessRequest -Connection $null } | Should -Throw -ErrorId 'ConnectionIsNull,*'
        { Get-SupportAccessRequest -Connection @((Get-SupportAccessConnection -Current), $null) } | Should -Throw '*-Connection is null, or holds a null*'
        @(Get-SupportAccessConnection -Current | Get-SupportAccessRequest -WarningAction SilentlyContinue).Count | Should -BeGreaterThan 10
    }

    It 'a date in a culture''s format is refused, whatever the culture, with the form to use' {
        $before = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = 'en-GB'
            $row = Edited (Story 6)[0] @{ ActivityDateTime = '12/06/2026 02:52:00' }

            $requests = @($row | Get-SupportAccessRequest -ErrorVariable failures -ErrorAction SilentlyContinue)

            $requests.Count | Should -Be 0
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'InputNotAnActivity,*'
            $failures[0].Exception.Message | Should -Match "ActivityDateTime '12/06/2026 02:52:00'"
            $failures[0].Exception.Message | Should -Match 'ISO 8601'
        }
        finally { [cultureinfo]::CurrentCulture = $before }
    }

    It 'an ISO 8601 date with an offset is read as the time it names' {
        $row = Edited (Story 6)[0] @{ ActivityDateTime = '2026-12-06T03:52:00+01:00' }

        $request = @($row | Get-SupportAccessRequest)

        [datetime]$request[0].CreatedDateTime | Should -Be ([datetime]::new(2026, 12, 6, 2, 52, 0, [DateTimeKind]::Utc))
    }

    It 'several support request ids in one activity are refused, naming the property' {
        $row = Edited (Story 6)[0] @{}
        $row.SupportRequestId = @('2611200010000006', '2611200010000004')

        $requests = @($row | Get-SupportAccessRequest -ErrorVariable failures -ErrorAction SilentlyContinue)

        $requests.Count | Should -Be 0
        $failures.Count | Should -Be 1
        $failures[0].Exception.Message | Should -Match 'SupportRequestId holds 2 values'
        $failures[0].Exception.Message | Should -Not -Match 'System\.Object\[\]'
    }

    It 'a second activity with the same id and other content is warned about, and the first one counts' {
        $s4 = Story 4
        $forged = Edited $s4[1] @{ Activity = 'RequestApproved'; ActivityDisplayName = 'Request approved' }

        $requests = @($s4 + $forged | Get-SupportAccessRequest -WarningVariable warned -WarningAction SilentlyContinue)

        $requests.Count | Should -Be 1
        $requests[0].State | Should -Be 'Rejected'
        $requests[0].ActivityCount | Should -Be 2
        $warned.Count | Should -Be 1
        "$($warned[0])" | Should -Match 'same Id'
        "$($warned[0])" | Should -Match ([regex]::Escape($s4[1].Id))
    }

    It 'an id that carries terminal escape sequences is shown without them (issue 23: Verbose and warnings are cleaned here too)' {
        $s4 = Story 4
        $id = "evil`e[2J`e]0;pwned`a-id"
        $first = Edited $s4[0] @{ Id = $id }
        $second = Edited $s4[1] @{ Id = $id; Activity = 'RequestApproved'; ActivityDisplayName = 'Request approved' }

        $first, $second | Get-SupportAccessRequest -WarningVariable warned -WarningAction SilentlyContinue | Out-Null

        $warned.Count | Should -Be 1
        "$($warned[0])" | Should -Match 'evil'
        "$($warned[0])".Contains([char]27) | Should -BeFalse
        "$($warned[0])".Contains([char]7) | Should -BeFalse
    }
}

Describe 'Request states' {
    It 'canceled after access was granted, with no removal seen: access may still be active, and Verbose says so' {
        $s1 = Story 1
        $canceled = Edited $s1[1] @{ Id = '5e000000-0001-4000-8000-0000000000cc'; Activity = 'RequestCanceled'; ActivityDisplayName = 'Request canceled'
            ActivityDateTime = Iso ([datetime]$s1[2].ActivityDateTime).AddHours(3) }

        $said = @($s1 + $canceled | Get-SupportAccessRequest -Verbose 4>&1)
        $request = @($said | Where-Object { $_ -is [SupportAccessLogs.SupportAccessRequest] })

        $request[0].State | Should -Be 'Canceled'
        $request[0].IsAccessActive | Should -BeTrue
        @($s1 + $canceled | Get-SupportAccessRequest -Active).Count | Should -Be 1
        @($said | Where-Object { "$_" -match '2611200010000001' -and "$_" -match 'may still' }).Count | Should -Be 1
    }

    It 'access granted at a time still to come lasts no time, never a negative one' {
        $s10 = Story 10
        $future = Edited $s10[0] @{ ActivityDateTime = Iso (Get-Date).ToUniversalTime().AddDays(3) }

        $request = @($future | Get-SupportAccessRequest)

        $request[0].IsAccessActive | Should -BeTrue
        $request[0].AccessDuration | Should -Be ([timespan]::Zero)
    }

    It 'the table names each request''s tenant and its key, so requests of several tenants are told apart' {
        $requests = @(Get-SupportAccessRequest -WorkspaceId $Workspace -StartTime $Anchor.AddDays(-60) -WarningAction SilentlyContinue)
        @($requests.TenantId | Sort-Object -Unique).Count | Should -BeGreaterThan 1

        $table = $requests | Format-Table | Out-String -Width 200
        $lines = @($table -split "`r?`n" | Where-Object { $_.Trim() })

        $lines[0] | Should -Match 'TenantId'
        $table | Should -Not -Match '\(TargetResourceId\)'
        $table | Should -Match '5a000000-0011-4000-8000-000000000000'
        foreach ($tenant in $requests.TenantId | Sort-Object -Unique) { $table | Should -Match $tenant }
        # No two rows alike.
        $rows = @($lines | Select-Object -Skip 2)
        @($rows | Sort-Object -Unique).Count | Should -Be $rows.Count
    }
}
