#Requires -Version 7.4
# The objects the module writes, property by property, as documented: the same columns in the
# same order, each of its documented type, and all that a user does with them at a prompt.
# (Issue 10 changed how ActivityDateTime is carried; this file keeps what users rely on.)

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force
    $script:Emulator = Start-GraphEmulator
    $token = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
    Connect-SupportAccess -AccessToken $token -GraphEndpoint $Emulator.BaseUri
    $script:All = @(Get-SupportAccessActivity -WarningAction SilentlyContinue)

    # The documented columns, in the order Export-Csv writes them, each with its type ($null is
    # allowed where the type is nullable).
    $script:ActivityColumns = [ordered]@{
        ActivityDateTime = [datetime]; Id = [string]; TenantId = [string]; Category = [SupportAccessLogs.Category]; Activity = [SupportAccessLogs.Activity]
        ActivityDisplayName = [string]; TenantRole = [SupportAccessLogs.TenantRole]; Result = [string]; ResultReason = [string]
        InitiatorType = [SupportAccessLogs.InitiatorType]; InitiatedBy = [string]; InitiatorId = [string]; InitiatorIpAddress = [string]
        SupportRequestId = [string]; OtherTenantId = [string]; CorrelationId = [string]; LoggedByService = [string]
        OperationType = [string]; TargetResources = [string]; AdditionalDetails = [string]; ClassificationReason = [string]
    }
    $script:RoleColumns = [ordered]@{
        DisplayName = [string]; TemplateId = [string]; IsBuiltIn = [bool]; CanReadActivityLogs = [bool]
        CanManageSupportAccess = [bool]; AssignedToCaller = [bool]; TenantId = [string]
    }
}

AfterAll {
    Disconnect-SupportAccess
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Activity objects' {
    It 'have exactly the documented properties, in the documented order' {
        @($All[0].PSObject.Properties.Name) | Should -Be @($ActivityColumns.Keys)
        @(($All | Select-Object -First 5 | ConvertTo-Csv)[0] -split ',' -replace '"') | Should -Be @($ActivityColumns.Keys)
    }

    It 'give every property as its documented type' {
        foreach ($activity in $All) {
            foreach ($column in $ActivityColumns.GetEnumerator()) {
                $value = $activity.($column.Key)
                if ($null -eq $value) {
                    $column.Key | Should -Be 'TenantRole' -Because 'only TenantRole may be empty'
                    continue
                }
                $value -is $column.Value | Should -BeTrue -Because "$($column.Key) of $($activity.Id) is $($value.GetType().FullName), documented as $($column.Value.FullName)"
            }
        }
    }

    It 'are the typed subclasses, with GetRawRecord' {
        foreach ($activity in $All) {
            $activity -is [SupportAccessLogs.SupportAccessActivity] | Should -BeTrue
            $activity.GetType().FullName | Should -Be "SupportAccessLogs.$($activity.Category)Activity"
            ($activity.GetRawRecord() | ConvertFrom-Json).id | Should -Be $activity.Id
        }
        $declared = @((Get-Command Get-SupportAccessActivity).OutputType.Type)
        foreach ($type in @($All | ForEach-Object { $_.GetType() } | Sort-Object FullName -Unique)) {
            $declared | Should -Contain $type -Because '[OutputType] names every type the cmdlet writes'
        }
    }

    It 'keep ActivityDateTime a UTC time that compares and sorts as one' {
        $sorted = @($All | Sort-Object ActivityDateTime)
        $byTicks = @($All | Sort-Object { $_.PSObject.BaseObject.ActivityDateTime.Ticks })
        @($sorted.Id) | Should -Be @($byTicks.Id)
        $newest = $sorted[-1].ActivityDateTime
        $newest -gt $sorted[0].ActivityDateTime | Should -BeTrue
        $newest -le [datetime]::UtcNow | Should -BeTrue
        $newest.Kind | Should -Be 'Utc'
        $newest.AddDays(1) -is [datetime] | Should -BeTrue
        @($All | Where-Object ActivityDateTime -GE $newest.AddSeconds(-1)).Count | Should -BeGreaterThan 0
        @($All | Group-Object { $_.ActivityDateTime.Date }).Count | Should -BeGreaterThan 1
    }

    It 'write ActivityDateTime as ISO 8601 UTC wherever it becomes text' {
        $activity = $All[0]
        $iso = '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$'
        $activity.ActivityDateTime.ToString() | Should -Match $iso
        ($activity | ConvertTo-Csv)[1].Split(',')[0].Trim('"') | Should -Match $iso
        ($activity | ConvertTo-Json -Compress | ConvertFrom-Json -AsHashtable -DateKind String).ActivityDateTime | Should -Match $iso
        ($activity | ConvertTo-Csv | ConvertFrom-Csv).ActivityDateTime | Should -Be $activity.ActivityDateTime.ToString()
        $activity | Export-Csv -LiteralPath TestDrive:/one.csv -UseCulture
        (Import-Csv -LiteralPath TestDrive:/one.csv -UseCulture).ActivityDateTime | Should -Match $iso
    }

    It 'group and select as users do' {
        ($All | Group-Object Category | Measure-Object).Count | Should -Be 3
        ($All | Select-Object Id, Category -First 1).PSObject.Properties.Name | Should -Be @('Id', 'Category')
        ($All | Measure-Object).Count | Should -Be ($All | Select-Object -Property * | Measure-Object).Count
    }
}

Describe 'Role rows' {
    BeforeAll {
        $script:Roles = @(Get-SupportAccessRole -All -WarningAction SilentlyContinue)
    }

    It 'have exactly the documented properties, in order, each of its type' {
        $Roles.Count | Should -BeGreaterThan 5
        foreach ($role in $Roles) {
            $role -is [SupportAccessLogs.SupportAccessRole] | Should -BeTrue
            @($role.PSObject.Properties.Name) | Should -Be @($RoleColumns.Keys)
            foreach ($column in $RoleColumns.GetEnumerator()) {
                $role.($column.Key) -is $column.Value | Should -BeTrue -Because "$($column.Key) is documented as $($column.Value.Name)"
            }
        }
        @(($Roles | ConvertTo-Csv)[0] -split ',' -replace '"') | Should -Be @($RoleColumns.Keys)
    }
}
