#Requires -Version 7.4
# The emulator's late records from another process (tests/GraphEmulator/README.md, "Late records"):
# Add-EmulatorLateRecord and Clear-EmulatorLateRecord of EmulatorProcess.psm1, checked with plain
# Graph requests and the truth, and read once through the built module.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force
    $script:Contoso = '6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f'
    $script:Fabrikam = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
    # Two days back, so that the last minutes hold no seeded record: only what a test adds.
    $now = [datetimeoffset]::UtcNow.AddDays(-2)
    $script:Emulator = Start-GraphEmulator -PageSize 20 -OtherTenant 'fabrikam' -Anchor ([datetimeoffset]::new($now.Ticks - $now.Ticks % [timespan]::TicksPerMinute, [timespan]::Zero))
    $script:Anchor = Get-EmulatorAnchor -Emulator $Emulator

    function Get-ServedRecord {
        # Every page of a read, following the nextLinks: each record's id.
        param([string] $Token, [string] $Filter)
        $uri = [uri]::new($Emulator.BaseUri, 'v1.0/auditLogs/directoryAudits')
        if ($Filter) { $uri = [uri]::new($Emulator.BaseUri, 'v1.0/auditLogs/directoryAudits?$filter=' + [uri]::EscapeDataString($Filter)) }
        do {
            $page = Invoke-RestMethod -Uri $uri -Headers @{ Authorization = "Bearer $Token" }
            $page.value | ForEach-Object { [pscustomobject]@{ Id = $_.id } }
            $uri = $page.'@odata.nextLink'
        } while ($uri)
    }

    function Format-ODataTime {
        param([datetimeoffset] $Time)
        $Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", [cultureinfo]::InvariantCulture)
    }
}

AfterAll {
    Disconnect-SupportAccess -ErrorAction Ignore
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Add-EmulatorLateRecord' {
    AfterEach {
        Clear-EmulatorLateRecord -Emulator $Emulator
    }

    It '-Count -MinutesAgo: records 10 minutes old, served newest first, in a ge/le window and in the truth' {
        $before = [datetimeoffset]::UtcNow
        $added = @(Add-EmulatorLateRecord -Emulator $Emulator -Count 2 -MinutesAgo 10)
        $added.Count | Should -Be 2
        $added.TenantId | Should -Be @($Contoso, $Contoso)
        foreach ($record in $added) {
            $record.Id | Should -Match '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
            $record.ActivityDateTime | Should -BeOfType [datetimeoffset]
            $record.ActivityDateTime.Offset | Should -Be ([timespan]::Zero)
            ($before.AddMinutes(-10) - $record.ActivityDateTime).Duration().TotalSeconds | Should -BeLessThan 30
            $record.ExpectedCategory | Should -BeIn @('UserInitiated', 'Automated', 'CrossTenant')
        }
        $at = $added[0].ActivityDateTime

        $token = Get-EmulatorToken -Emulator $Emulator
        $newestFirst = @($added.Id | Sort-Object -CaseSensitive -Descending)
        $all = @(Get-ServedRecord -Token $token)
        $all.Count | Should -Be 132
        @($all | Select-Object -First 2).Id | Should -Be $newestFirst
        $window = @(Get-ServedRecord -Token $token -Filter "activityDateTime ge $(Format-ODataTime $at.AddMinutes(-5)) and activityDateTime le $(Format-ODataTime $at.AddMinutes(5))")
        $window.Id | Should -Be $newestFirst

        $truth = Get-EmulatorTruth -Emulator $Emulator
        $truth.total | Should -Be 112
        $truth.lateRecordCount | Should -Be 2
        @($truth.records | Select-Object -First 2).id | Should -Be $newestFirst
    }

    It '-Time -TenantId: one record at each time, in that tenant only' {
        $times = [datetimeoffset[]]@($Anchor.AddDays(-3), $Anchor.AddHours(-1).ToOffset([timespan]::FromHours(-5)))
        $added = @(Add-EmulatorLateRecord -Emulator $Emulator -TenantId $Fabrikam -Time $times)
        $added.TenantId | Should -Be @($Fabrikam, $Fabrikam)
        $added[0].ActivityDateTime | Should -Be $times[0]
        $added[1].ActivityDateTime | Should -Be $times[1]
        $added[1].ActivityDateTime.Offset | Should -Be ([timespan]::Zero)

        (Get-EmulatorTruth -Emulator $Emulator -TenantId $Fabrikam).total | Should -Be 87
        (Get-EmulatorTruth -Emulator $Emulator).total | Should -Be 110
        $fabrikamIds = @(Get-ServedRecord -Token (Get-EmulatorToken -Emulator $Emulator -TenantId $Fabrikam)).Id
        $fabrikamIds.Count | Should -Be 107
        foreach ($id in $added.Id) { $fabrikamIds | Should -Contain $id }
        @(Get-ServedRecord -Token (Get-EmulatorToken -Emulator $Emulator)).Id | Should -Not -Contain $added[0].Id
        @(Get-EmulatorTenant -Emulator $Emulator).lateRecordCount | Should -Be @(0, 2)
    }

    It 'refuses what it cannot add, with the emulator''s reason' {
        { Add-EmulatorLateRecord -Emulator $Emulator -Time $Anchor.AddDays(-31) } | Should -Throw '*before the retention start*'
        { Add-EmulatorLateRecord -Emulator $Emulator -TenantId 'c0ffee00-0000-4000-8000-000000000000' -Count 1 } | Should -Throw '*serves no tenant*'
        { Add-EmulatorLateRecord -Emulator $Emulator -Count 0 } | Should -Throw
        { Add-EmulatorLateRecord -Emulator $Emulator -Count 1 -MinutesAgo -1 } | Should -Throw
        (Get-EmulatorTruth -Emulator $Emulator).lateRecordCount | Should -Be 0
    }

    It 'adds records the module reads and classifies as the truth expects' {
        $added = @(Add-EmulatorLateRecord -Emulator $Emulator -Count 3 -MinutesAgo 10)
        $graph = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
        Connect-SupportAccess -AccessToken $graph -GraphEndpoint $Emulator.BaseUri
        $read = @(Get-SupportAccessActivity -StartTime ([datetime]::UtcNow.AddMinutes(-15)) -EndTime ([datetime]::UtcNow) -WarningAction SilentlyContinue)
        @($read.Id | Sort-Object) | Should -Be @($added.Id | Sort-Object)
        foreach ($record in $added) {
            $activity = $read | Where-Object Id -EQ $record.Id
            [string]$activity.Category | Should -Be $record.ExpectedCategory
            [string]$activity.Activity | Should -Be $record.ExpectedActivity
        }
    }
}

Describe 'Clear-EmulatorLateRecord' {
    It 'removes every tenant''s late records, or one tenant''s' {
        Add-EmulatorLateRecord -Emulator $Emulator -Count 2 -MinutesAgo 1 | Out-Null
        Add-EmulatorLateRecord -Emulator $Emulator -TenantId $Fabrikam -Count 3 | Out-Null
        Clear-EmulatorLateRecord -Emulator $Emulator -TenantId $Fabrikam
        @(Get-EmulatorTenant -Emulator $Emulator).total | Should -Be @(112, 85)
        Clear-EmulatorLateRecord -Emulator $Emulator
        @(Get-EmulatorTenant -Emulator $Emulator).total | Should -Be @(110, 85)
        @(Get-ServedRecord -Token (Get-EmulatorToken -Emulator $Emulator)).Count | Should -Be 130
        { Clear-EmulatorLateRecord -Emulator $Emulator -TenantId 'c0ffee00-0000-4000-8000-000000000000' } | Should -Throw '*serves no tenant*'
    }
}
