#Requires -Version 7.4
# The habits an admin expects of any well-made module: output types, tab completion, progress,
# -Verbose that shows what is sent, views, no Write-Host, and clean ConvertTo-Json.

BeforeDiscovery {
    # The -ForEach lists below are built from the module's own commands.
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    $script:Manifest = Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1'
    Import-Module $Manifest -Force

    # 110 records (the scenario table's 85, the stories' 25), 10 per page: an eleven-page read.
    $script:Emulator = Start-GraphEmulator -PageSize 10
    $script:TokenText = Get-EmulatorToken -Emulator $Emulator
    $token = $TokenText | ConvertTo-SecureString -AsPlainText -Force
    Connect-SupportAccess -AccessToken $token -GraphEndpoint $Emulator.BaseUri
    $script:Quiet = @{ WarningAction = 'SilentlyContinue'; RequestsPer10Seconds = 0 }
    $script:Commands = @(Get-Command -Module SupportAccessLogs -CommandType Cmdlet)

    function script:Get-EnumParameter($Command) {
        # A command's own parameters whose type (arrays and nullables unwrapped) is an enum.
        $Command.Parameters.Values | Where-Object {
            $type = if ($_.ParameterType.IsArray) { $_.ParameterType.GetElementType() } else { $_.ParameterType }
            $type = [Nullable]::GetUnderlyingType($type) ?? $type
            $type.IsEnum -and $_.Name -notin [System.Management.Automation.PSCmdlet]::CommonParameters
        }
    }

    function Invoke-InRunspace([string] $Script) {
        # A fresh runspace of this process, so that stream preferences are the script's own.
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript($Script).AddParameter('Manifest', $Manifest).
                AddParameter('Uri', $Emulator.BaseUri).AddParameter('Token', $TokenText)
            $output = $shell.Invoke()
            [pscustomobject]@{ Output = $output; Streams = $shell.Streams; HadErrors = $shell.HadErrors }
        }
        finally {
            $shell.Dispose()
        }
    }
}

AfterAll {
    Disconnect-SupportAccess
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Discoverability' {
    It 'exports the nine cmdlets the manifest names' {
        $Commands.Name | Sort-Object | Should -Be @('Connect-SupportAccess', 'Disconnect-SupportAccess', 'Export-SupportAccessActivity', 'Export-SupportAccessReport',
            'Get-SupportAccessActivity', 'Get-SupportAccessConnection', 'Get-SupportAccessKql', 'Get-SupportAccessRequest', 'Get-SupportAccessRole')
    }

    It '<_.Name> declares its output type' -ForEach @(Get-Command -Module SupportAccessLogs -CommandType Cmdlet) {
        $_.OutputType | Should -Not -BeNullOrEmpty
    }

    It 'checks the module''s cmdlets, and finds enum parameters among them' {
        $cmdlets = @(Get-Command -Module SupportAccessLogs -CommandType Cmdlet)
        $cmdlets.Count | Should -Be @((Import-PowerShellDataFile -LiteralPath $Manifest).CmdletsToExport).Count
        @($cmdlets | Where-Object { Get-EnumParameter $_ }).Count | Should -BeGreaterThan 0 -Because 'otherwise the test below would check nothing'
    }

    It 'completes every enum parameter of <_.Name> with the enum''s names, or has none' -ForEach @(Get-Command -Module SupportAccessLogs -CommandType Cmdlet) {
        $command = $_
        $enumParameters = @(Get-EnumParameter $command)
        if ($enumParameters.Count -eq 0) {
            # None at all: every parameter's type, arrays and nullables unwrapped, is no enum.
            foreach ($parameter in $command.Parameters.Values) {
                $type = if ($parameter.ParameterType.IsArray) { $parameter.ParameterType.GetElementType() } else { $parameter.ParameterType }
                $type = [Nullable]::GetUnderlyingType($type) ?? $type
                if ($parameter.Name -notin [System.Management.Automation.PSCmdlet]::CommonParameters) {
                    $type.IsEnum | Should -BeFalse -Because "-$($parameter.Name) of $($command.Name) is a $($type.Name)"
                }
            }
            $command.Parameters.Count | Should -BeGreaterThan 0
        }
        foreach ($parameter in $enumParameters) {
            $type = if ($parameter.ParameterType.IsArray) { $parameter.ParameterType.GetElementType() } else { $parameter.ParameterType }
            $type = [Nullable]::GetUnderlyingType($type) ?? $type
            $line = "$($command.Name) -$($parameter.Name) "
            $completions = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText)
            $completions.Count | Should -BeGreaterThan 0 -Because "-$($parameter.Name) of $($command.Name) completes"
            @($completions | Sort-Object) | Should -Be @([enum]::GetNames($type) | Sort-Object) -Because "-$($parameter.Name) takes a $($type.Name)"
        }
    }

    It 'completes -Result with the values Graph uses' {
        $line = 'Get-SupportAccessActivity -Result '
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $completions | Should -Contain 'success'
        $completions | Should -Contain 'failure'
    }
}

Describe 'Streams' {
    It 'reports progress for each page read' {
        $run = Invoke-InRunspace 'param($Manifest, $Uri, $Token)
            Import-Module $Manifest
            Connect-SupportAccess -AccessToken (ConvertTo-SecureString $Token -AsPlainText -Force) -GraphEndpoint $Uri
            $ProgressPreference = "Continue"
            Get-SupportAccessActivity -WarningAction SilentlyContinue -RequestsPer10Seconds 0 | Measure-Object | ForEach-Object Count'
        $total = (Get-EmulatorTruth -Emulator $Emulator).total
        $run.Output[0] | Should -Be $total
        $pageCount = [math]::Ceiling($total / 10)
        $pages = @($run.Streams.Progress | Where-Object { $_.RecordType -eq 'Processing' -and $_.StatusDescription -match 'page \d+' })
        $pages.Count | Should -Be $pageCount
        $pages[-1].StatusDescription | Should -Match "page $pageCount, \d+ records read, $total activities written"
        @($run.Streams.Progress | Where-Object RecordType -EQ 'Completed').Count | Should -Be 1
    }

    It 'reports no progress when $ProgressPreference is SilentlyContinue' {
        $run = Invoke-InRunspace 'param($Manifest, $Uri, $Token)
            Import-Module $Manifest
            Connect-SupportAccess -AccessToken (ConvertTo-SecureString $Token -AsPlainText -Force) -GraphEndpoint $Uri
            $ProgressPreference = "SilentlyContinue"
            Get-SupportAccessActivity -WarningAction SilentlyContinue -RequestsPer10Seconds 0 | Measure-Object | ForEach-Object Count'
        $run.Output[0] | Should -Be (Get-EmulatorTruth -Emulator $Emulator).total
        $run.Streams.Progress.Count | Should -Be 0
    }

    It '-Verbose shows every request URL, as sent, and the OData filter, without the token' {
        Clear-EmulatorRequestLog -Emulator $Emulator
        $verbose = @(Get-SupportAccessActivity @Quiet -Verbose 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $sent = @(Get-EmulatorRequest -Emulator $Emulator | Where-Object path -EQ '/v1.0/auditLogs/directoryAudits')
        $gets = @($verbose | Where-Object { $_ -match '^GET ' })

        $gets.Count | Should -Be $sent.Count
        $gets[0] | Should -Match ([regex]::Escape('/v1.0/auditLogs/directoryAudits?$filter='))
        # Every page after the first is the nextLink the previous page gave, shown whole.
        $gets[1..($gets.Count - 1)] | ForEach-Object { $_ | Should -Match 'directoryAudits\?\S+' }
        @($verbose -like 'OData filter: category eq ''MicrosoftSupportAccessManagement'' and activityDateTime ge *').Count | Should -Be 1
        ($verbose -join "`n") | Should -Not -Match ([regex]::Escape($TokenText.Split('.')[1]))
    }

    It 'never writes to the host or the information stream' {
        $run = Invoke-InRunspace 'param($Manifest, $Uri, $Token)
            Import-Module $Manifest
            Connect-SupportAccess -AccessToken (ConvertTo-SecureString $Token -AsPlainText -Force) -GraphEndpoint $Uri
            $null = Get-SupportAccessActivity -WarningAction SilentlyContinue -RequestsPer10Seconds 0
            $null = Get-SupportAccessRole -WarningAction SilentlyContinue
            Get-SupportAccessConnection | Out-Null'
        $run.HadErrors | Should -BeFalse
        $run.Streams.Information.Count | Should -Be 0
        $moduleFolder = Split-Path -Parent $Manifest
        $scripts = Get-ChildItem -LiteralPath $moduleFolder -Recurse -Include '*.ps1', '*.psm1', '*.psd1', '*.ps1xml'
        $scripts | Select-String -Pattern 'Write-Host' -SimpleMatch | Should -BeNullOrEmpty
    }
}

Describe 'Output shapes' {
    BeforeAll {
        $script:Activities = @(Get-SupportAccessActivity @Quiet)
    }

    It 'has a table view and a list view for activities, roles and connections' {
        foreach ($typeName in 'SupportAccessLogs.SupportAccessActivity', 'SupportAccessLogs.SupportAccessRole') {
            $controls = @((Get-FormatData -TypeName $typeName).FormatViewDefinition.Control | ForEach-Object { $_.GetType().Name })
            $controls | Should -Contain 'TableControl' -Because $typeName
            $controls | Should -Contain 'ListControl' -Because $typeName
        }
        @((Get-FormatData -TypeName 'SupportAccessLogs.SupportAccessConnection').FormatViewDefinition.Control |
            ForEach-Object { $_.GetType().Name }) | Should -Contain 'ListControl'
    }

    It 'shows the table view by default and every contract property in the list view' {
        $table = ($Activities | Select-Object -First 3 | Out-String -Width 200)
        $table | Should -Match 'ActivityDateTime \(UTC\)\s+Category\s+Activity\s+InitiatedBy\s+Result\s+SupportRequestId'
        $list = ($Activities[0] | Format-List | Out-String -Width 200)
        foreach ($name in $Activities[0].PSObject.Properties.Name) {
            $list | Should -Match "(?m)^$name\s+:" -Because "the list view shows $name"
        }
    }

    It 'has a default display property set' {
        $Activities[0].PSStandardMembers.DefaultDisplayPropertySet.ReferencedPropertyNames |
            Should -Be @('ActivityDateTime', 'Category', 'Activity', 'InitiatedBy', 'Result', 'SupportRequestId')
    }

    It 'ConvertTo-Json writes one flat object per activity, with ISO-8601 UTC times' {
        $json = $Activities | Select-Object -First 20 | ConvertTo-Json -Depth 5 -EnumsAsStrings
        $parsed = @($json | ConvertFrom-Json -AsHashtable)
        $parsed.Count | Should -Be 20
        foreach ($entry in $parsed) {
            @($entry.Keys | Sort-Object) | Should -Be @($Activities[0].PSObject.Properties.Name | Sort-Object)
            foreach ($value in $entry.Values) {
                $value | Should -Not -BeOfType ([System.Collections.IDictionary]) -Because 'nothing is nested'
            }
            $entry.Category | Should -BeIn 'UserInitiated', 'Automated', 'CrossTenant'
        }
        $json | Should -Match '"ActivityDateTime": "\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z"'
    }
}
