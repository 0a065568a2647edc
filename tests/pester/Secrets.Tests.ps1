#Requires -Version 7.4
# Leak nothing: a whole session with the token (queries, faults, failures) is run in a fresh pwsh
# with every stream on, a transcript, and the error records and their exception chains dumped;
# the token and the text "Bearer " appear nowhere.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'EmulatorProcess.psm1') -Force
    $script:Emulator = Start-GraphEmulator -PageSize 10
    $script:Token = Get-EmulatorToken -Emulator $Emulator
    $script:Transcript = Join-Path $TestDrive 'transcript.txt'
    $manifest = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../output/SupportAccessLogs/SupportAccessLogs.psd1'))
    $faults = [uri]::new($Emulator.BaseUri, '_emulator/faults')

    $script:Run = Invoke-ChildPwsh -Environment @{ SAL_TOKEN = $Token } -Script @"
`$VerbosePreference = 'Continue'
`$DebugPreference = 'Continue'
`$InformationPreference = 'Continue'
`$WarningPreference = 'Continue'
Start-Transcript -LiteralPath '$Transcript' | Out-Null
Import-Module '$manifest'
`$token = ConvertTo-SecureString `$env:SAL_TOKEN -AsPlainText -Force
`$env:SAL_TOKEN = `$null
Connect-SupportAccess -AccessToken `$token -GraphEndpoint '$($Emulator.BaseUri)' -PassThru | Format-List * -Force
Get-SupportAccessConnection | ConvertTo-Json
Get-SupportAccessActivity -First 3 -RequestsPer10Seconds 0 | Format-List *
Invoke-RestMethod -Method Post -Uri '$faults' -ContentType 'application/json' -Body '[{"kind":"throttle429","page":2,"retryAfterSeconds":1},{"kind":"unavailable503","page":3,"times":10}]' | Out-Null
try { Get-SupportAccessActivity -RequestsPer10Seconds 0 -MaxRetries 1 | Out-Null } catch { `$_ | Format-List * -Force; for (`$e = `$_.Exception; `$e; `$e = `$e.InnerException) { `$e.ToString() } }
Invoke-RestMethod -Method Delete -Uri '$faults' | Out-Null
Invoke-RestMethod -Method Post -Uri '$faults' -ContentType 'application/json' -Body '[{"kind":"expired401","page":1}]' | Out-Null
try { Get-SupportAccessActivity -RequestsPer10Seconds 0 | Out-Null } catch { `$_ | Format-List * -Force; for (`$e = `$_.Exception; `$e; `$e = `$e.InnerException) { `$e.ToString() } }
`$Error | Format-List * -Force
Stop-Transcript | Out-Null
"@
    $script:Everything = $Run.Output + $Run.Error + (Get-Content -LiteralPath $Transcript -Raw)
}

AfterAll {
    Stop-GraphEmulator -Emulator $Emulator
}

Describe 'Secrets' {
    It 'the session really exercised queries, a throttle and failures' {
        $Everything | Should -Match 'VERBOSE: GET '
        $Everything | Should -Match 'throttled'
        $Everything | Should -Match 'GraphUnavailable'
        $Everything | Should -Match 'GraphUnauthorized|expired'
    }

    It 'the access token appears in no stream, transcript, error record or exception chain' {
        $Everything | Should -Not -Match ([regex]::Escape($Token))
        # Nor any recognisable part of it.
        foreach ($part in $Token.Split('.') | Where-Object Length -GT 20) {
            $Everything | Should -Not -Match ([regex]::Escape($part))
        }
    }

    It 'no Authorization header or "Bearer " text appears anywhere' {
        $Everything | Should -Not -Match 'Bearer '
        $Everything | Should -Not -Match 'Authorization:'
    }
}
