# Source: learn.microsoft.com client-health-checks (wuauserv start type automatic or manual); seed
# article 2 (sc config wuauserv type= own: own svchost); HKLM\SYSTEM\CurrentControlSet\Services\wuauserv Start, Type.
try {
    $svc = @(Get-Service | Where-Object { $_.Name -eq 'wuauserv' })
    $status = 'Missing'
    if ($svc.Count -gt 0) { $status = [string]$svc[0].Status }
    $k = 'HKLM:\SYSTEM\CurrentControlSet\Services\wuauserv'
    Out-Section 'wua_service' ([ordered]@{ status = $status; start = (Get-RegValue $k 'Start'); service_type = (Get-RegValue $k 'Type') })
} catch { Out-Failure 'wua_service' $_ }
