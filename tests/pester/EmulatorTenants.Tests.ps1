#Requires -Version 7.4
# The emulator serving several tenants, from another process, through the helpers of
# EmulatorProcess.psm1 (Start-GraphEmulator -OtherTenant / -CustomerTenants, Get-EmulatorTenant,
# Get-EmulatorToken -TenantId, Get-EmulatorTruth -TenantId, Get-EmulatorRequestCount -TenantId)
# and plain Graph requests: no module code (tests/GraphEmulator/README.md, "Several tenants").

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    $script:Contoso = '6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f'
    $script:Adatum = '0c2e4a6b-8d1f-4e3a-9b5c-7d9f1b3d5e7a'
    $script:Northwind = '3e7a9c1b-5d2f-4b8e-a6c4-0f2e4d6b8a13'
    $script:Tailspin = 'b5d7f9a1-3c2e-4f6a-8b0d-1e3f5a7c9d24'
    $script:Emulator = Start-GraphEmulator -PageSize 50 -OtherTenant @(
        @{ TenantId = $Adatum; DisplayName = 'Adatum'; BulkRecordCount = 4; PipelineAppConsented = $false; AdminRoles = @('Reports Reader') },
        'northwind:roles=Security Reader',
        'tailspin'
    )

    function Get-AllRecordId {
        param([string] $Token)
        $uri = [uri]::new($Emulator.BaseUri, 'v1.0/auditLogs/directoryAudits')
        do {
            $page = Invoke-RestMethod -Uri $uri -Headers @{ Authorization = "Bearer $Token" }
            $page.value.id
            $uri = $page.'@odata.nextLink'
        } while ($uri)
    }
}

AfterAll {
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Start-GraphEmulator -OtherTenant' {
    It 'serves the home tenant and each other tenant with the settings given (Get-EmulatorTenant)' {
        $tenants = @(Get-EmulatorTenant -Emulator $Emulator)
        $tenants.tenantId | Should -Be @($Contoso, $Adatum, $Northwind, $Tailspin)
        $tenants.displayName | Should -Be @('Contoso', 'Adatum', 'Northwind Traders', 'Tailspin Toys')
        $tenants.home | Should -Be @($true, $false, $false, $false)
        $tenants.pipelineAppConsented | Should -Be @($true, $false, $true, $true)
        $tenants.adminHasAccess | Should -Be @($true, $true, $true, $false)
        $tenants[1].adminRoleTemplateIds | Should -Be @('4a5d8f65-41da-4de4-8968-e035b65339cf')   # Reports Reader
        $tenants[2].adminRoleTemplateIds | Should -Be @('5d6b6bb7-de71-4623-b4af-96380a352509')   # Security Reader
        $tenants.total | Should -Be @(110, 89, 85, 85)
        $tenants.hasStories | Should -Be @($true, $false, $false, $false)
    }

    It 'reads each tenant''s records with Get-EmulatorToken -TenantId, as Get-EmulatorTruth -TenantId lists them, none in two tenants' {
        $all = @{}
        foreach ($tenant in $Contoso, $Adatum, $Northwind) {
            $token = Get-EmulatorToken -Emulator $Emulator -TenantId $tenant
            $ids = @(Get-AllRecordId -Token $token)
            $truth = Get-EmulatorTruth -Emulator $Emulator -TenantId $tenant
            $truth.tenantId | Should -Be $tenant
            $expected = @($truth.records.id) + @($truth.otherCategoryIds)
            $ids.Count | Should -Be ($expected.Count + $truth.bulkRecordCount)
            @($expected | Where-Object { $_ -notin $ids }) | Should -BeNullOrEmpty
            foreach ($id in $ids) {
                $all.ContainsKey($id) | Should -BeFalse -Because "record $id of $tenant is also $($all[$id])'s"
                $all[$id] = $tenant
            }
            Get-EmulatorRequestCount -Emulator $Emulator -TenantId $tenant | Should -Be ([math]::Ceiling($ids.Count / 50))
        }
        (Get-EmulatorTruth -Emulator $Emulator).tenantId | Should -Be $Contoso
    }

    It 'mints app-only tokens for a tenant where the admin has no access, and refuses delegated ones there' {
        $app = Get-EmulatorToken -Emulator $Emulator -TenantId $Tailspin -Claims @{ roles = 'AuditLog.Read.All' }
        @(Get-AllRecordId -Token $app).Count | Should -Be 105
        { Get-EmulatorToken -Emulator $Emulator -TenantId $Tailspin } | Should -Throw '*has no access to tenant*'
    }

    It 'answers a token of no served tenant with 401 InvalidAuthenticationToken' {
        $token = Get-EmulatorToken -Emulator $Emulator -Claims @{ tid = 'c0ffee00-0000-4000-8000-000000000000' }
        $response = Invoke-WebRequest -Uri ([uri]::new($Emulator.BaseUri, 'v1.0/auditLogs/directoryAudits')) -Headers @{ Authorization = "Bearer $token" } -SkipHttpErrorCheck
        $response.StatusCode | Should -Be 401
        ($response.Content | ConvertFrom-Json).error.code | Should -Be 'InvalidAuthenticationToken'
    }

    It 'refuses a hashtable it does not understand' {
        { Start-GraphEmulator -OtherTenant @{ TenantId = $Adatum; Consented = $false } } | Should -Throw '*unknown key*'
        { Start-GraphEmulator -OtherTenant @{ DisplayName = 'Nobody' } } | Should -Throw '*TenantId*'
    }
}

Describe 'Start-GraphEmulator -CustomerTenants' {
    It 'serves the four preset customer tenants beside the home tenant' {
        $customers = Start-GraphEmulator -CustomerTenants
        try {
            $tenants = @(Get-EmulatorTenant -Emulator $customers)
            $tenants.displayName | Should -Be @('Contoso', 'Fabrikam', 'Woodgrove', 'Northwind Traders', 'Tailspin Toys')
            $tenants.pipelineAppConsented | Should -Be @($true, $true, $false, $true, $true)
            $tenants.adminHasAccess | Should -Be @($true, $true, $true, $true, $false)
        }
        finally {
            Stop-GraphEmulator -Emulator $customers
        }
    }
}
