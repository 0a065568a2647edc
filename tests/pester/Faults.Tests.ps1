#Requires -Version 7.4
# Lose nothing: each fault the service or the network can throw, injected in the middle of a
# 11-page export, and the records written compared with the emulator's truth.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1') -Force
    # 85 records, 8 per page: an 11-page export.
    $script:Emulator = Start-GraphEmulator -PageSize 8
    $script:Truth = Get-EmulatorTruth -Emulator $Emulator
    $script:TruthIds = @($Truth.records.id | Sort-Object)
    $token = Get-EmulatorToken -Emulator $Emulator | ConvertTo-SecureString -AsPlainText -Force
    Connect-SupportAccess -AccessToken $token -GraphEndpoint $Emulator.BaseUri
    # The pacing is measured separately below; here it would only slow the faults down.
    $script:Fast = @{ RequestsPer10Seconds = 0; WarningAction = 'SilentlyContinue' }
}

AfterAll {
    Disconnect-SupportAccess
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'A fault on page 4 of 10' {
    BeforeEach {
        Clear-EmulatorRequestLog -Emulator $Emulator
    }

    It '<name>: every record exactly once' -ForEach @(
        @{ name = '429 with Retry-After in seconds'; fault = @{ kind = 'throttle429'; page = 4; retryAfterSeconds = 1 } }
        @{ name = '429 with Retry-After as an HTTP date'; fault = @{ kind = 'throttle429'; page = 4; retryAfterSeconds = 2; retryAfterDate = $true } }
        @{ name = '503'; fault = @{ kind = 'unavailable503'; page = 4 } }
        @{ name = '504'; fault = @{ kind = 'timeout504'; page = 4 } }
        @{ name = 'connection reset mid-body'; fault = @{ kind = 'reset'; page = 4; afterRecords = 3 } }
        @{ name = 'truncated JSON body'; fault = @{ kind = 'truncate'; page = 4; afterRecords = 5 } }
        @{ name = 'HTML from a proxy'; fault = @{ kind = 'html'; page = 4 } }
        @{ name = 'a page slower than the timeout'; fault = @{ kind = 'slow'; page = 4; delayMs = 4000 } }
        @{ name = 'the same page failing twice'; fault = @{ kind = 'reset'; page = 4; times = 2; afterRecords = 6 } }
    ) {
        Set-EmulatorFault -Emulator $Emulator -Fault $fault
        $records = @(Get-SupportAccessActivity @Fast -PageTimeoutSeconds 2)

        $ids = @($records.Id)
        @($ids | Sort-Object -Unique).Count | Should -Be $ids.Count -Because 'no record may be written twice'
        @(Compare-Object $TruthIds ($ids | Sort-Object)) | Should -BeNullOrEmpty -Because 'no record may be lost'
        @(Get-EmulatorRequest -Emulator $Emulator | Where-Object fault).Count | Should -BeGreaterOrEqual 1 -Because 'the fault fired'
    }

    It 'a throttle gives one warning per 429' {
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'throttle429'; page = 4; times = 2; retryAfterSeconds = 1 }
        $records = @(Get-SupportAccessActivity -RequestsPer10Seconds 0 -WarningVariable warnings -WarningAction SilentlyContinue)
        $records.Count | Should -Be $Truth.total
        @($warnings | Where-Object Message -Match 'throttled').Count | Should -Be 2
    }

    It 'when retries run out it stops with a clear error and keeps every record already written' {
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'unavailable503'; page = 3; times = 10 }
        $received = [System.Collections.Generic.List[object]]::new()
        $failure = $null
        try {
            Get-SupportAccessActivity @Fast -MaxRetries 2 | ForEach-Object { $received.Add($_) }
        }
        catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -BeLike 'GraphUnavailable,*'
        $failure.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $failure.Exception.Message | Should -Match 'Gave up after 3 tries'
        $failure.Exception.Message | Should -Match 'request-id'
        $received.Count | Should -Be 16 -Because 'pages 1 and 2 were written before page 3 failed'
        @($received.Id | Sort-Object -Unique).Count | Should -Be 16
        @(Get-EmulatorRequest -Emulator $Emulator | Where-Object { $_.path -eq '/v1.0/auditLogs/directoryAudits' }).Count | Should -Be 5
    }

    It 'an access token that expires mid-run (401) stops with a clear error and keeps what was written' {
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'expired401'; page = 4 }
        $received = [System.Collections.Generic.List[object]]::new()
        $failure = $null
        try { Get-SupportAccessActivity @Fast | ForEach-Object { $received.Add($_) } } catch { $failure = $_ }

        $failure.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $failure.Exception.Message | Should -Match 'expired'
        $received.Count | Should -Be 24
        @($received.Id | Sort-Object -Unique).Count | Should -Be 24
    }
}

Describe 'Faults drawn at random' {
    It 'seed <_>: an 11-page export through random faults on a third of its requests writes every record once' -ForEach 7, 1234 {
        $noisy = Start-GraphEmulator -PageSize 8 -FaultRate 0.35 -FaultSeed $_
        try {
            $token = Get-EmulatorToken -Emulator $noisy | ConvertTo-SecureString -AsPlainText -Force
            $connection = Connect-SupportAccess -AccessToken $token -GraphEndpoint $noisy.BaseUri -PassThru
            $records = @(Get-SupportAccessActivity -Connection $connection -RequestsPer10Seconds 0 -WarningAction SilentlyContinue)
            $ids = @($records.Id)
            @($ids | Sort-Object -Unique).Count | Should -Be $ids.Count
            @(Compare-Object ((Get-EmulatorTruth -Emulator $noisy).records.id | Sort-Object) ($ids | Sort-Object)) | Should -BeNullOrEmpty
            @(Get-EmulatorRequest -Emulator $noisy | Where-Object fault).Count | Should -BeGreaterThan 0 -Because 'faults were drawn'
        }
        finally {
            Stop-GraphEmulator -Emulator $noisy
        }
    }
}

Describe 'Pacing under the reporting throttle' {
    It 'a 22-page export under the emulator''s throttle receives no 429 at all' {
        $throttled = Start-GraphEmulator -PageSize 4 -Throttle
        try {
            $token = Get-EmulatorToken -Emulator $throttled | ConvertTo-SecureString -AsPlainText -Force
            $connection = Connect-SupportAccess -AccessToken $token -GraphEndpoint $throttled.BaseUri -PassThru
            $records = @(Get-SupportAccessActivity -Connection $connection -WarningAction SilentlyContinue)
            $audit = @(Get-EmulatorRequest -Emulator $throttled | Where-Object path -EQ '/v1.0/auditLogs/directoryAudits')

            $total = (Get-EmulatorTruth -Emulator $throttled).total
            $records.Count | Should -Be $total
            @($audit | Where-Object status -EQ 429) | Should -BeNullOrEmpty -Because "the statuses were $($audit.status -join ',')"
            $audit.Count | Should -Be ([math]::Ceiling($total / 4)) -Because 'each page is asked for once'
        }
        finally {
            Stop-GraphEmulator -Emulator $throttled
        }
    }
}

Describe 'Stopping (Ctrl+C)' {
    It 'stops while a page is in flight, and no request is sent after the stop' {
        Set-EmulatorFault -Emulator $Emulator -Fault @{ kind = 'slow'; page = 2; delayMs = 20000 }
        Clear-EmulatorRequestLog -Emulator $Emulator
        $shell = [powershell]::Create()
        try {
            $shell.AddScript({
                    param($Manifest, $Uri, $Token)
                    Import-Module $Manifest
                    Connect-SupportAccess -AccessToken ($Token | ConvertTo-SecureString -AsPlainText -Force) -GraphEndpoint $Uri
                    Get-SupportAccessActivity -RequestsPer10Seconds 0 -WarningAction SilentlyContinue
                }).AddArgument((Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1')).AddArgument($Emulator.BaseUri).AddArgument((Get-EmulatorToken -Emulator $Emulator)) | Out-Null
            $running = $shell.BeginInvoke()
            # The emulator logs a request when it has answered it: wait for page 1, then give the
            # reader a moment to ask for page 2, which the emulator holds for 20 s.
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while ((Get-EmulatorRequestCount -Emulator $Emulator) -lt 1 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            Start-Sleep -Seconds 1

            $shell.Stop()
            $running.IsCompleted | Should -BeTrue
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
            Start-Sleep -Seconds 2
            $afterStop = Get-EmulatorRequestCount -Emulator $Emulator
            Start-Sleep -Seconds 2
            # Page 2 shows up as answered only because the client hung up on it: the 20 s are not over.
            $afterStop | Should -Be 2 -Because 'the stop cancels the page in flight, and asks for nothing more'
            Get-EmulatorRequestCount -Emulator $Emulator | Should -Be $afterStop -Because 'nothing is sent after the stop'
        }
        finally {
            $shell.Dispose()
            Set-EmulatorFault -Emulator $Emulator -Fault @()
        }
    }
}
