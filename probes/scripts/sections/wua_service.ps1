# Source: learn.microsoft.com client-health-checks (wuauserv start type automatic or manual); seed
# article 2 (sc config wuauserv type= own: own svchost); HKLM\SYSTEM\CurrentControlSet\Services\wuauserv Type.
try {
    $svc = Get-Service -Name wuauserv
    $type = (Get-ItemProperty 'HKLM:\SYSTEM\CurrentControlSet\Services\wuauserv').Type
    $r.wua_service = [ordered]@{ status = [string]$svc.Status; start_type = [string]$svc.StartType; own_process = ($type -eq 16) }
} catch { $r.errors.wua_service = $_.Exception.Message }
