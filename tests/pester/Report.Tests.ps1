#Requires -Version 7.4
# Export-SupportAccessReport as an admin runs it: reading itself, from the pipeline (activities,
# requests, a CSV read back), many tenants, -WhatIf, bad input. The page is checked here as text
# against the records it was made from; what a browser makes of it (nothing runs, nothing is
# fetched, the layout holds, accessibility) is in xunit (ReportBrowserTests).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force
    $script:Emulator = Start-GraphEmulator
    $script:Workspace = 'b4c6d8e0-2f1a-4b3c-9d5e-7f8a9b0c1d2e'
    $graph = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
    $logAnalytics = Get-EmulatorToken -Emulator $Emulator -Claims @{ api = 'loganalytics' } | ConvertTo-SecureString -AsPlainText -Force
    Connect-SupportAccess -AccessToken $graph -LogAnalyticsAccessToken $logAnalytics -GraphEndpoint $Emulator.BaseUri -LogAnalyticsEndpoint $Emulator.BaseUri
    $script:Tenant = (Get-SupportAccessConnection -Current).TenantId.ToString()
    $script:Fast = @{ RequestsPer10Seconds = 0; WarningAction = 'SilentlyContinue' }

    # What a page says of its records, read back from its markup.
    function script:Read-Report([string] $Path) {
        $html = Get-Content -LiteralPath $Path -Raw
        $categories = @{}
        foreach ($match in [regex]::Matches($html, 'data-category-count="(\w+)">(\d+)<')) {
            $categories[$match.Groups[1].Value] += [int]$match.Groups[2].Value
        }
        [pscustomobject]@{
            Html       = $html
            Lanes      = ([regex]::Matches($html, '<g class="request" data-state="')).Count
            Rows       = ([regex]::Matches($html, '<tr data-state="')).Count
            Active     = @([regex]::Matches($html, 'class="banner[^"]*" role="status" data-active="(\d+)"') | ForEach-Object { [int]$_.Groups[1].Value })
            Sections   = @([regex]::Matches($html, '<section class="tenant" id="t\d+" data-tenant="([^"]*)"') | ForEach-Object { $_.Groups[1].Value })
            Categories = $categories
        }
    }
}

AfterAll {
    Disconnect-SupportAccess
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Export-SupportAccessReport' {
    Context 'What it shows' {
        BeforeAll {
            $script:Activities = @(Get-SupportAccessActivity @Fast)
            $script:Requests = @($Activities | Get-SupportAccessRequest -WarningAction SilentlyContinue)
        }

        It 'reads itself as Get-SupportAccessRequest reads, writes the page and returns the file' {
            $path = Join-Path $TestDrive 'read.html'

            # The defaults a user gets: Graph's pacing, the role check, every warning shown.
            $file = Export-SupportAccessReport -Path $path

            $file | Should -BeOfType ([System.IO.FileInfo])
            $file.FullName | Should -Be $path
            # As Get-Item gives it, so the file view shows its mode and size.
            $file.PSProvider.Name | Should -Be 'FileSystem'
            $file.Length | Should -Be (Get-Item -LiteralPath $path).Length
            $page = Read-Report $path
            $page.Lanes | Should -Be $Requests.Count
            $page.Rows | Should -Be $Requests.Count
            $page.Active | Should -Be @(@($Requests | Where-Object IsAccessActive).Count)
            $page.Sections | Should -Be @($Tenant)
            $page.Html | Should -Match 'Microsoft Graph'
        }

        It 'names each active request in the banner, with who approved it' {
            $page = Read-Report (Export-SupportAccessReport -Path (Join-Path $TestDrive 'banner.html') @Fast).FullName
            $banner = [regex]::Match($page.Html, '<div class="banner" role="status".*?</div>').Value

            $banner | Should -Match 'Microsoft Support can reach this tenant now'
            foreach ($request in @($Requests | Where-Object IsAccessActive | Where-Object SupportRequestId)) {
                $banner | Should -Match ([regex]::Escape($request.SupportRequestId))
            }
            $approved = @($Requests | Where-Object { $_.IsAccessActive -and $_.DecidedBy })[0]
            $banner | Should -Match ([regex]::Escape("</strong></td><td>$($approved.DecidedBy)</td>"))
        }

        It 'counts the activities per classification as the records do' {
            $page = Read-Report ($Activities | Export-SupportAccessReport -Path (Join-Path $TestDrive 'weeks.html')).FullName

            foreach ($group in $Activities | Group-Object Category) {
                $page.Categories[$group.Name] | Should -Be $group.Count -Because "$($group.Name) activities"
            }
        }

        It 'gives the same page from the activities piped, and from their CSV read back' {
            $csv = Join-Path $TestDrive 'activities.csv'
            $Activities | Export-Csv -LiteralPath $csv -NoTypeInformation

            $piped = Read-Report ($Activities | Export-SupportAccessReport -Path (Join-Path $TestDrive 'piped.html') -WarningAction SilentlyContinue).FullName
            $imported = Read-Report (Import-Csv -LiteralPath $csv | Export-SupportAccessReport -Path (Join-Path $TestDrive 'csv.html') -WarningAction SilentlyContinue).FullName

            $piped.Lanes | Should -Be $Requests.Count
            $imported.Lanes | Should -Be $piped.Lanes
            $imported.Active | Should -Be $piped.Active
            $imported.Categories.Keys | Sort-Object | Should -Be ($piped.Categories.Keys | Sort-Object)
            $piped.Html | Should -Match 'pipeline input'
        }

        It 'draws requests piped in as given, and says the activities were not' {
            $page = Read-Report ($Requests | Export-SupportAccessReport -Path (Join-Path $TestDrive 'requests.html')).FullName

            $page.Lanes | Should -Be $Requests.Count
            $page.Html | Should -Match 'Only requests were given'
        }

        It 'gives each tenant of a workspace its section, after a summary per tenant' {
            $workspaceRequests = @(Get-SupportAccessRequest -WorkspaceId $Workspace @Fast)
            $tenants = @($workspaceRequests.TenantId | Sort-Object -Unique)

            $page = Read-Report (Export-SupportAccessReport -Path (Join-Path $TestDrive 'workspace.html') -WorkspaceId $Workspace @Fast).FullName

            $tenants.Count | Should -BeGreaterThan 1 -Because 'the demo workspace holds a second tenant''s side of a cross-tenant request'
            @($page.Sections | Sort-Object) | Should -Be @($tenants + $Tenant | Sort-Object -Unique)
            $page.Html | Should -Match 'Summary per tenant'
            $page.Html | Should -Match "Log Analytics workspace $Workspace"
            $page.Lanes | Should -Be $workspaceRequests.Count
        }
    }

    Context 'A page that is safe to open' {
        It 'allows no script and fetches nothing: one policy, no address but SVG''s namespace' {
            $html = (Read-Report (Export-SupportAccessReport -Path (Join-Path $TestDrive 'safe.html') @Fast).FullName).Html

            $html | Should -Match '<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; style-src &#x27;sha256-'
            $html | Should -Not -Match '<script'
            $html | Should -Not -Match '\son\w+='
            $addresses = @([regex]::Matches($html, '\b(?:https?|ftp)://[^"\s<]+') | ForEach-Object Value | Sort-Object -Unique)
            $addresses | Should -Be @('http://www.w3.org/2000/svg')
        }

        It 'writes hostile names as text, never as markup' {
            $hostile = '<script>alert(1)</script>"><svg onload=alert(2)></style>'
            $activity = @{ Id = 'h1'; ActivityDateTime = '2026-12-01T10:00:00Z'; Activity = 'RequestApproved'; TenantId = $Tenant
                InitiatedBy = $hostile; SupportRequestId = $hostile; Category = 'UserInitiated'; ClassificationReason = $hostile }

            $html = (Read-Report ($activity | Export-SupportAccessReport -Path (Join-Path $TestDrive 'hostile.html') -WarningAction SilentlyContinue).FullName).Html

            $html | Should -Not -Match '<script'
            $html | Should -Not -Match '<svg onload'
            $html | Should -Match '&lt;script&gt;alert\(1\)&lt;/script&gt;&quot;&gt;&lt;svg onload=alert\(2\)&gt;&lt;/style&gt;'
            ([regex]::Matches($html, '</style>')).Count | Should -Be 1
        }
    }

    Context 'Files and errors' {
        It 'makes the folder, resolves a relative path and replaces a file that exists' {
            Push-Location $TestDrive
            try {
                $first = $Requests | Export-SupportAccessReport -Path 'made/report.html'
                $second = $Requests | Export-SupportAccessReport -Path 'made/report.html'
            }
            finally { Pop-Location }

            $second.FullName | Should -Be (Join-Path $TestDrive 'made/report.html')
            $first.FullName | Should -Be $second.FullName
            Get-Content -LiteralPath $second.FullName -Raw | Should -Match '^<!DOCTYPE html>'
            Join-Path $TestDrive 'made/report.html.partial' | Should -Not -Exist
        }

        It '-WhatIf writes nothing and returns nothing' {
            $path = Join-Path $TestDrive 'whatif.html'

            $result = $Requests | Export-SupportAccessReport -Path $path -WhatIf

            $result | Should -BeNullOrEmpty
            $path | Should -Not -Exist
        }

        It 'refuses a directory, and a path on another provider, before reading anything' {
            { Export-SupportAccessReport -Path $TestDrive @Fast } | Should -Throw -ErrorId 'ReportPathIsDirectory,*'
            { Export-SupportAccessReport -Path Env:/report @Fast } | Should -Throw -ErrorId 'PathNotFileSystem,*'
        }

        It 'reports an input that is no activity, and still writes the page from the rest' {
            $path = Join-Path $TestDrive 'mixed.html'

            $file = @($Requests[0], [pscustomobject]@{ Name = 'not an activity' }) | Export-SupportAccessReport -Path $path -ErrorVariable failures -ErrorAction SilentlyContinue

            $failures.Count | Should -Be 1
            $file.FullName | Should -Be $path
            (Read-Report $path).Lanes | Should -Be 1
        }

        It 'refuses requests read back from a file, saying to pipe their activities' {
            $csv = Join-Path $TestDrive 'requests.csv'
            $Requests | Export-Csv -LiteralPath $csv -NoTypeInformation

            $null = Import-Csv -LiteralPath $csv | Export-SupportAccessReport -Path (Join-Path $TestDrive 'back.html') -ErrorVariable failures -ErrorAction SilentlyContinue

            $failures.Count | Should -Be $Requests.Count
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ReportRequestReadBack,*'
            $failures[0].Exception.Message | Should -Match 'pipe the activities instead'
        }

        It 'writes a plain page for an empty pipeline: nothing read, nothing active' {
            $path = Join-Path $TestDrive 'empty.html'

            $file = @() | Export-SupportAccessReport -Path $path

            $file.FullName | Should -Be $path
            (Read-Report $path).Html | Should -Match 'No Microsoft Support access is active'
        }
    }
}
