# Source: seed article 1 (Invoke-WebRequest http://<MP>/sms_mp/.sms_aut?mplist, StatusCode 200);
# SMS_Authority.CurrentManagementPoint in root\ccm (learn.microsoft.com ConfigMgr client WMI classes).
try {
    $mp = (Get-CimInstance -Namespace 'root/ccm' -ClassName SMS_Authority | Select-Object -First 1).CurrentManagementPoint
    $r.mp = [ordered]@{ name = $mp; mplist = (Test-Url "http://$mp/sms_mp/.sms_aut?mplist") }
} catch { $r.errors.mp = $_.Exception.Message }
