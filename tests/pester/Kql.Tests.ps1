#Requires -Version 7.4
# Get-SupportAccessKql as an admin uses it: the text at the prompt, files written with -Path
# (and not with -WhatIf), the request function and its rule's threshold, clear errors, completion.
# The formats' contents are checked in xunit (KqlFormatsTests); here, the cmdlet around them.

BeforeDiscovery {
    # The -ForEach lists below are built from the module's own enums.
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force
}

Describe 'Get-SupportAccessKql' {
    It 'gives the Logs-blade query by default: one string beginning with the window''s lets' {
        $text = @(Get-SupportAccessKql)

        $text.Count | Should -Be 1
        $text[0] | Should -BeOfType [string]
        $lines = $text[0] -split "`n"
        $lines[0] | Should -BeLike 'let starttime = datetime(null);*'
        $lines[1] | Should -BeLike 'let endtime = datetime(null);*'
        # The function's own lets (its helpers) come next, then its query over the table.
        $lines[2] | Should -BeLike 'let _*'
        $lines | Should -Contain 'AuditLogs'
        $text[0] | Should -Not -Match "`r"
    }

    It 'gives <_> as one string' -ForEach @([enum]::GetNames([SupportAccessLogs.KqlFormat])) {
        $text = @(Get-SupportAccessKql -Format $_)

        $text.Count | Should -Be 1
        $text[0] | Should -BeOfType [string]
        $text[0] | Should -Match 'AuditLogs'
    }

    It 'gives an ARM template that PowerShell reads as JSON, deploying the function by its name' {
        $template = Get-SupportAccessKql -Format ArmTemplate -FunctionName MsSupportAccess | ConvertFrom-Json

        $template.resources[0].type | Should -Be 'Microsoft.OperationalInsights/workspaces/savedSearches'
        $template.resources[0].properties.FunctionAlias | Should -Be 'MsSupportAccess'
        $template.parameters.workspaceName.type | Should -Be 'string'
    }

    It 'gives the same Sentinel parser when run again, id included' {
        Get-SupportAccessKql -Format SentinelParser | Should -BeExactly (Get-SupportAccessKql -Format SentinelParser)
    }

    Context '-Path' {
        It 'writes the text to the file, making its folder, and returns the file' {
            $path = Join-Path $TestDrive 'new folder/SupportAccessActivity.yaml'

            $file = Get-SupportAccessKql -Format SentinelParser -Path $path

            $file | Should -BeOfType [System.IO.FileInfo]
            $file.PSProvider.Name | Should -Be 'FileSystem' -Because 'it is the file as Get-Item gives it, so the view shows its mode and size'
            $file.FullName | Should -Be $path
            $bytes = [System.IO.File]::ReadAllBytes($path)
            $bytes[0] | Should -Not -Be 0xEF -Because 'UTF-8 without a byte-order mark'
            [System.Text.Encoding]::UTF8.GetString($bytes) | Should -BeExactly ((Get-SupportAccessKql -Format SentinelParser) + "`n")
        }

        It 'resolves a relative path against the current location, and replaces a file that exists' {
            Push-Location -LiteralPath $TestDrive
            try {
                Set-Content -LiteralPath (Join-Path $TestDrive 'rule.yaml') -Value 'old'
                $file = Get-SupportAccessKql -Format AnalyticsRule -Path ./rule.yaml
                $file.FullName | Should -Be (Join-Path $TestDrive 'rule.yaml')
                Get-Content -LiteralPath $file.FullName -Raw | Should -Match '(?m)^kind: Scheduled$'
            }
            finally {
                Pop-Location
            }
        }

        It '-WhatIf writes nothing and returns nothing' {
            $path = Join-Path $TestDrive 'whatif/parser.yaml'

            $output = @(Get-SupportAccessKql -Format SentinelParser -Path $path -WhatIf)

            $output.Count | Should -Be 0
            $path | Should -Not -Exist
            Join-Path $TestDrive 'whatif' | Should -Not -Exist
        }

        It 'refuses a directory, saying what to give' {
            $failure = $null
            try { Get-SupportAccessKql -Path $TestDrive } catch { $failure = $_ }

            $failure.FullyQualifiedErrorId | Should -BeLike 'KqlPathIsDirectory,*'
            $failure.Exception.Message | Should -Match 'SupportAccessActivity\.kql'
        }

        It 'refuses a path on another provider' {
            { Get-SupportAccessKql -Path Env:/SupportAccessKql } | Should -Throw -ErrorId 'PathNotFileSystem,*'
        }
    }

    Context 'Errors' {
        It 'refuses a -FunctionName that is no KQL identifier, saying what a name may hold' {
            $path = Join-Path $TestDrive 'bad-name.yaml'
            $failure = $null
            try { Get-SupportAccessKql -Format SentinelParser -FunctionName 'Support-Access' -Path $path } catch { $failure = $_ }

            $failure.FullyQualifiedErrorId | Should -BeLike 'KqlFunctionNameInvalid,*'
            $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $failure.Exception.Message | Should -Match "'Support-Access'"
            $failure.Exception.Message | Should -Match 'letters, digits and underscores'
            $path | Should -Not -Exist
        }

        It 'refuses -ActiveLongerThan <Case>, saying what it takes, and writes nothing' -ForEach @(
            @{ Case = 'shorter than the rule''s hour'; Threshold = '00:30:00' }
            @{ Case = 'longer than the rule looks back'; Threshold = '14.00:00:00' }
            @{ Case = 'with seconds'; Threshold = '02:00:30' }
        ) {
            $path = Join-Path $TestDrive 'threshold.yaml'
            $failure = $null
            try { Get-SupportAccessKql -Kind Request -Format AnalyticsRule -ActiveLongerThan $Threshold -Path $path } catch { $failure = $_ }

            $failure.FullyQualifiedErrorId | Should -BeLike 'KqlThresholdOutOfRange,*'
            $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $failure.Exception.Message | Should -Match 'whole minutes from 01:00:00'
            $failure.Exception.Message | Should -Match '13\.23:00:00'
            $path | Should -Not -Exist
        }

        It 'refuses -ActiveLongerThan where there is no request rule to keep it' -ForEach @(
            @{ Arguments = @{ Kind = 'Activity'; Format = 'AnalyticsRule' } }
            @{ Arguments = @{ Kind = 'Request'; Format = 'SentinelParser' } }
        ) {
            { Get-SupportAccessKql @Arguments -ActiveLongerThan '08:00:00' } | Should -Throw -ErrorId 'KqlParameterNotApplicable,*'
        }
    }

    Context '-Kind Request' {
        It 'gives the request function as a query: the activity query walked into requests' {
            $text = Get-SupportAccessKql -Kind Request

            $text | Should -BeOfType [string]
            $text | Should -Match '(?m)^AuditLogs$'
            $text | Should -Match '\| scan declare'
            $text | Should -Match 'RequestTargetId'
        }

        It 'names the parser SupportAccessRequest by default, and as asked' {
            Get-SupportAccessKql -Kind Request -Format SentinelParser | Should -Match '(?m)^FunctionName: SupportAccessRequest$'
            Get-SupportAccessKql -Kind Request -Format SentinelParser -FunctionName MsRequests | Should -Match '(?m)^FunctionName: MsRequests$'
        }

        It 'writes the access-active rule with the threshold given, calling the function by its name' {
            $path = Join-Path $TestDrive 'rules/active.yaml'

            $file = Get-SupportAccessKql -Kind Request -Format AnalyticsRule -ActiveLongerThan (New-TimeSpan -Hours 8) -FunctionName MsRequests -Path $path

            $file.FullName | Should -Be $path
            $rule = Get-Content -LiteralPath $path -Raw
            $rule | Should -Match "(?m)^name: 'Microsoft Support access active longer than 8 hours'$"
            $rule | Should -Match 'let threshold = 8h;'
            $rule | Should -Match 'MsRequests\(ago\(14d\)\)'
            $rule | Should -Match '(?m)^queryPeriod: 14d$'
        }

        It 'alerts after a day by default' {
            Get-SupportAccessKql -Kind Request -Format AnalyticsRule | Should -Match 'let threshold = 1d;'
        }
    }

    Context 'Completion' {
        It 'completes -<Parameter> with <Type>''s names' -ForEach @(
            @{ Parameter = 'Kind'; Type = [SupportAccessLogs.KqlKind] }
            @{ Parameter = 'Format'; Type = [SupportAccessLogs.KqlFormat] }
        ) {
            $line = "Get-SupportAccessKql -$Parameter "
            $completions = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText)

            @($completions | Sort-Object) | Should -Be @([enum]::GetNames($Type) | Sort-Object)
        }
    }
}
