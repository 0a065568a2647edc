#Requires -Version 7.4
# The built module in a real pwsh against the Graph emulator process. Every expectation comes
# from the emulator's hand-written truth for the same seed, never from the module itself.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force

    $script:Emulator = Start-GraphEmulator -PageSize 10
    $script:Truth = Get-EmulatorTruth -Emulator $Emulator
    $token = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
    Connect-SupportAccess -AccessToken $token -GraphEndpoint $Emulator.BaseUri

    # The whole default window, read once; most tests look at this result.
    $script:All = @(Get-SupportAccessActivity -WarningVariable unknownNameWarnings -WarningAction SilentlyContinue)
    $script:UnknownNameWarnings = @($unknownNameWarnings)
}

AfterAll {
    Disconnect-SupportAccess
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Get-SupportAccessActivity against the demo tenant' {
    It 'returns every support-access record exactly once' {
        $ids = @($All.Id)
        $ids.Count | Should -Be $Truth.total
        @($ids | Sort-Object -Unique).Count | Should -Be $ids.Count
        @(Compare-Object ($Truth.records.id | Sort-Object) ($ids | Sort-Object)) | Should -BeNullOrEmpty
    }

    It 'counts <_> records as the truth says' -ForEach 'UserInitiated', 'Automated', 'CrossTenant' {
        $category = $_
        @($All | Where-Object Category -EQ $category).Count | Should -Be $Truth.byCategory.$category
    }

    It 'classifies each record as its scenario expects' {
        $byId = @{}
        foreach ($activity in $All) { $byId[$activity.Id] = $activity }
        $mismatches = foreach ($expected in $Truth.records) {
            $actual = $byId[$expected.id]
            $actualRole = if ($null -eq $actual.TenantRole) { '' } else { [string]$actual.TenantRole }
            if ([string]$actual.Category -ne $expected.expectedCategory -or
                [string]$actual.Activity -ne $expected.expectedActivity -or
                $actualRole -ne $expected.expectedTenantRole -or
                [string]$actual.OtherTenantId -ne $expected.expectedOtherTenantId -or
                [string]$actual.SupportRequestId -ne $expected.expectedSupportRequestId) {
                "$($expected.id) '$($expected.activityDisplayName)': expected $($expected.expectedCategory)/$($expected.expectedActivity)/$($expected.expectedTenantRole), got $($actual.Category)/$($actual.Activity)/$actualRole"
            }
        }
        $mismatches | Should -BeNullOrEmpty
    }

    It 'emits the typed subclass that matches each category' {
        foreach ($activity in $All) {
            $activity.GetType().Name | Should -Be "$($activity.Category)Activity"
            $activity | Should -BeOfType ([SupportAccessLogs.SupportAccessActivity])
        }
    }

    It 'never emits records of other categories' {
        $Truth.otherCategoryIds.Count | Should -BeGreaterThan 0
        @($All | Where-Object Id -In $Truth.otherCategoryIds) | Should -BeNullOrEmpty
    }

    It 'returns unknown activity names as Other with one warning per distinct name' {
        $unknownNames = @($Truth.records | Where-Object expectedActivity -EQ 'Other' |
                ForEach-Object { $_.activityDisplayName.Trim().ToLowerInvariant() } | Sort-Object -Unique)
        $unknownNames.Count | Should -BeGreaterThan 0
        @($All | Where-Object Activity -EQ 'Other').Count | Should -Be $Truth.byActivity.Other
        $UnknownNameWarnings.Count | Should -Be $unknownNames.Count
        foreach ($name in $unknownNames) {
            @($UnknownNameWarnings | Where-Object { $_.Message -like "*'$name'*" }).Count | Should -Be 1
        }
    }

    It 'gives ActivityDateTime as a UTC [datetime] inside the default 30-day window' {
        $windowStart = [datetime]::UtcNow.AddDays(-30).AddMinutes(-5)
        foreach ($activity in $All) {
            $activity.ActivityDateTime | Should -BeOfType ([datetime])
            $activity.ActivityDateTime.Kind | Should -Be 'Utc'
            $activity.ActivityDateTime | Should -BeGreaterThan $windowStart
        }
    }

    It 'keeps the raw Graph record reachable' {
        $record = $All[0].GetRawRecord() | ConvertFrom-Json
        $record.id | Should -Be $All[0].Id
        $record.category | Should -Be 'MicrosoftSupportAccessManagement'
    }
}

Describe 'Export-Csv' {
    BeforeAll {
        $script:CsvPath = Join-Path $TestDrive 'support-access.csv'
        $All | Export-Csv -LiteralPath $CsvPath -NoTypeInformation -Encoding utf8
        $script:Rows = @(Import-Csv -LiteralPath $CsvPath -Encoding utf8)
    }

    It 'round-trips every Id' {
        $Rows.Count | Should -Be $All.Count
        @(Compare-Object ($All.Id | Sort-Object) ($Rows.Id | Sort-Object)) | Should -BeNullOrEmpty
    }

    It 'writes one flat column per contract property and no type names' {
        $expectedColumns = 'Id', 'TenantId', 'ActivityDateTime', 'Category', 'Activity', 'ActivityDisplayName', 'TenantRole',
        'Result', 'ResultReason', 'InitiatorType', 'InitiatedBy', 'InitiatorId', 'InitiatorIpAddress',
        'SupportRequestId', 'OtherTenantId', 'CorrelationId', 'LoggedByService', 'OperationType',
        'TargetResources', 'AdditionalDetails', 'ClassificationReason'
        $columns = @($Rows[0].PSObject.Properties.Name)
        @(Compare-Object $expectedColumns $columns) | Should -BeNullOrEmpty
        Get-Content -LiteralPath $CsvPath -Raw | Should -Not -Match 'System\.(Object|Collections|Management)'
        Get-Content -LiteralPath $CsvPath -TotalCount 1 | Should -Not -Match '^#TYPE'
    }

    It 'writes ActivityDateTime as ISO-8601 UTC that parses back to the same instant' {
        $byId = @{}
        foreach ($activity in $All) { $byId[$activity.Id] = $activity }
        foreach ($row in $Rows) {
            $row.ActivityDateTime | Should -Match '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$'
            $parsed = [datetime]::Parse($row.ActivityDateTime, [cultureinfo]::InvariantCulture, 'AdjustToUniversal')
            $parsed | Should -Be $byId[$row.Id].ActivityDateTime
        }
    }

    It 'keeps quotes, commas, newlines and non-ASCII text intact' {
        $tricky = @($All | Where-Object { "$($_.TargetResources)$($_.AdditionalDetails)$($_.InitiatedBy)" -match "[`"`n,]|[^\x00-\x7F]" })
        $tricky.Count | Should -BeGreaterThan 0
        $rowsById = @{}
        foreach ($row in $Rows) { $rowsById[$row.Id] = $row }
        foreach ($activity in $tricky) {
            $row = $rowsById[$activity.Id]
            $row.TargetResources | Should -BeExactly ([string]$activity.TargetResources)
            $row.AdditionalDetails | Should -BeExactly ([string]$activity.AdditionalDetails)
            $row.InitiatedBy | Should -BeExactly ([string]$activity.InitiatedBy)
        }
    }
}

Describe 'Filters and paging' {
    BeforeEach {
        Clear-EmulatorRequestLog -Emulator $Emulator
    }

    It '-First 5 returns five activities from exactly one audit request' {
        $firstFive = @(Get-SupportAccessActivity -First 5 -WarningAction SilentlyContinue)
        $firstFive.Count | Should -Be 5
        Get-EmulatorRequestCount -Emulator $Emulator | Should -Be 1
    }

    It 'stops reading when a downstream Select-Object -First is satisfied' {
        $firstThree = @(Get-SupportAccessActivity -WarningAction SilentlyContinue | Select-Object -First 3)
        $firstThree.Id | Should -Be $All[0..2].Id
        # Pages hold 10 records here, so a reader that kept going would have asked for more.
        Get-EmulatorRequestCount -Emulator $Emulator | Should -Be 1
    }

    It '-Category CrossTenant returns only cross-tenant activities, each with a TenantRole when its name says one' {
        $crossTenant = @(Get-SupportAccessActivity -Category CrossTenant -WarningAction SilentlyContinue)
        $crossTenant.Count | Should -Be $Truth.byCategory.CrossTenant
        foreach ($activity in $crossTenant) {
            $activity | Should -BeOfType ([SupportAccessLogs.CrossTenantActivity])
            $activity.OtherTenantId | Should -Not -BeNullOrEmpty
            if ($activity.ActivityDisplayName.Trim() -match '^(Request|Approval|Access) ') {
                $activity.TenantRole | Should -BeIn 'SupportRequestTenant', 'ResourceTenant'
            }
        }
        # A cross-tenant record with an unknown name that fits neither prefix has no role (rule 4).
        $withoutRole = @($Truth.records | Where-Object { $_.expectedCategory -eq 'CrossTenant' -and -not $_.expectedTenantRole })
        @($crossTenant | Where-Object { $null -eq $_.TenantRole }).Count | Should -Be $withoutRole.Count
    }

    It "-InitiatedBy with a quote (o'brien@contoso.com) is escaped and finds that user's records" {
        $obrien = @(Get-SupportAccessActivity -InitiatedBy "o'brien@contoso.com" -WarningAction SilentlyContinue)
        # Three of the scenario table and story S2's approval (tests/GraphEmulator/README.md, "Stories").
        $obrien.Count | Should -Be 4
        $obrien.InitiatedBy | Sort-Object -Unique | Should -Be "o'brien@contoso.com"
    }

    It '-Skip and -First page through the same records as one read' {
        $secondPage = @(Get-SupportAccessActivity -Skip 5 -First 5 -WarningAction SilentlyContinue)
        $secondPage.Id | Should -Be $All[5..9].Id
    }

    It '-IncludeTotalCount reports the number of matching records' {
        $output = @(Get-SupportAccessActivity -IncludeTotalCount -Category Automated -WarningAction SilentlyContinue)
        $total = $output | Where-Object { $_ -isnot [SupportAccessLogs.SupportAccessActivity] }
        @($total).Count | Should -Be 1
        [long]$total.PSObject.BaseObject | Should -Be $Truth.byCategory.Automated
    }

    It 'a reversed window is a terminating error and sends no request' {
        $now = [datetime]::UtcNow
        { Get-SupportAccessActivity -StartTime $now -EndTime $now.AddDays(-1) } |
            Should -Throw -ErrorId 'TimeWindowReversed,SupportAccessLogs.Commands.GetSupportAccessActivityCommand'
        Get-EmulatorRequestCount -Emulator $Emulator | Should -Be 0
    }
}

Describe 'When the service rejects the category filter' {
    BeforeAll {
        $script:StrictEmulator = Start-GraphEmulator -RejectCategoryFilter
        $token = Get-EmulatorToken -Emulator $StrictEmulator | ConvertTo-SecureString -AsPlainText -Force
        $script:StrictConnection = Connect-SupportAccess -AccessToken $token -GraphEndpoint $StrictEmulator.BaseUri -PassThru
    }

    AfterAll {
        Stop-GraphEmulator -Emulator $StrictEmulator
        # Restore the connection the other blocks use.
        $token = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
        Connect-SupportAccess -AccessToken $token -GraphEndpoint $Emulator.BaseUri
    }

    It 'falls back to loggedByService and still returns exactly the same records' {
        $strictTruth = Get-EmulatorTruth -Emulator $StrictEmulator
        $fallback = @(Get-SupportAccessActivity -WarningAction SilentlyContinue)
        $fallback.Count | Should -Be $strictTruth.total
        @(Compare-Object ($strictTruth.records.id | Sort-Object) ($fallback.Id | Sort-Object)) | Should -BeNullOrEmpty
    }
}
