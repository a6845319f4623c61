# Source: seed article 1 (client.asmx on the SUP); HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate
# WUServer/WUStatusServer/UpdateServiceUrlAlternate and AU\UseWUServer; CCM_UpdateSource in
# root\ccm\SoftwareUpdates\WUAHandler (SupportArticles-docs troubleshoot-software-update-scan-failures.md).
try {
    $wu = Get-ItemProperty 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate' -ErrorAction SilentlyContinue
    $au = Get-ItemProperty 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU' -ErrorAction SilentlyContinue
    $src = Get-CimInstance -Namespace 'root/ccm/SoftwareUpdates/WUAHandler' -ClassName CCM_UpdateSource -ErrorAction SilentlyContinue
    $u = [ordered]@{ wu_server = $wu.WUServer; wu_status_server = $wu.WUStatusServer
        use_wu_server = ($au.UseWUServer -eq 1); alternate_url = $wu.UpdateServiceUrlAlternate
        ccm_content_location = ($src | Select-Object -First 1).ContentLocation }
    if ($u.wu_server) { $u.client_asmx = Test-Url ($u.wu_server.TrimEnd('/') + '/ClientWebService/client.asmx') }
    $r.update_source = $u
} catch { $r.errors.update_source = $_.Exception.Message }
