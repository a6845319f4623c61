# Source: learn.microsoft.com/mem/configmgr/core/clients/manage/client-health-checks (CcmExec service);
# SMS_Client in root\ccm; ProvisioningMode under HKLM\SOFTWARE\Microsoft\CCM\CcmExec (ConfigMgr Client Health).
try {
    $h = [ordered]@{ ccmexec_status = 'Missing'; ccmexec_start = $null; wmi_ok = $false; wmi_error = $null
        client_version = $null; provisioning_mode = $null }
    $svc = @(Get-Service | Where-Object { $_.Name -eq 'CcmExec' })
    if ($svc.Count -gt 0) { $h.ccmexec_status = [string]$svc[0].Status }
    # Start from the registry (2 automatic, 3 manual, 4 disabled): ServiceController.StartType is 5.0+ (defect 4).
    $h.ccmexec_start = Get-RegValue 'HKLM:\SYSTEM\CurrentControlSet\Services\CcmExec' 'Start'
    try {
        $c = Get-Cim 'root/ccm' 'SMS_Client' | Select-Object -First 1
        $h.wmi_ok = $true; $h.client_version = [string]$c.ClientVersion
    } catch { $h.wmi_error = [string]$_.Exception.Message }
    $h.provisioning_mode = [string](Get-RegValue 'HKLM:\SOFTWARE\Microsoft\CCM\CcmExec' 'ProvisioningMode')
    Out-Section 'client_health' $h
} catch { Out-Failure 'client_health' $_ }
