# Source: learn.microsoft.com/mem/configmgr/core/clients/manage/client-health-checks (CcmExec service);
# SMS_Client in root\ccm; ProvisioningMode under HKLM\SOFTWARE\Microsoft\CCM\CcmExec (ConfigMgr Client Health).
try {
    $h = [ordered]@{ ccmexec_status = 'Missing'; ccmexec_start_type = 'Missing'; wmi_ok = $false }
    $svc = Get-Service -Name CcmExec -ErrorAction SilentlyContinue
    if ($svc) { $h.ccmexec_status = [string]$svc.Status; $h.ccmexec_start_type = [string]$svc.StartType }
    try {
        $c = Get-CimInstance -Namespace 'root/ccm' -ClassName SMS_Client
        $h.wmi_ok = $true; $h.client_version = [string]$c.ClientVersion
    } catch { $h.wmi_error = $_.Exception.Message }
    $prov = Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\CCM\CcmExec' -ErrorAction SilentlyContinue
    $h.provisioning_mode = ($prov.ProvisioningMode -eq 'true')
    $r.client_health = $h
} catch { $r.errors.client_health = $_.Exception.Message }
