# Source: seed article 1 - C:\Windows\SoftwareDistribution\ReportingEvents.log AGENT_INSTALLING_STARTED /
# AGENT_INSTALLING_FAILED lines written by CcmExec with 0x800704c7.
try {
    $path = Join-Path $env:windir 'SoftwareDistribution\ReportingEvents.log'
    $r.reporting_events = [ordered]@{ path = $path; lines = @(Get-RecentLines $path 'AGENT_INSTALLING_(STARTED|FAILED).*CcmExec' 4000 20) }
} catch { $r.errors.reporting_events = $_.Exception.Message }
