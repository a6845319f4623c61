# Source: seed article 1 - C:\Windows\SoftwareDistribution\ReportingEvents.log AGENT_INSTALLING_STARTED /
# AGENT_INSTALLING_FAILED lines written by CcmExec with 0x800704c7 (paired by update ID and timed).
try {
    $path = Get-LogPath 'reporting_events'
    Out-Section 'reporting_events' ([ordered]@{ path = $path; exists = (Test-Path -LiteralPath $path); lines = @(Get-LogLines 'reporting_events' $path) })
} catch { Out-Failure 'reporting_events' $_ }
