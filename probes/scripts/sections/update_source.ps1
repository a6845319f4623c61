# Source: seed article 1 (client.asmx on the SUP); HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate
# WUServer/WUStatusServer/UpdateServiceUrlAlternate and AU\UseWUServer; CCM_UpdateSource.ContentLocation in
# root\ccm\SoftwareUpdates\WUAHandler (SupportArticles-docs troubleshoot-software-update-scan-failures.md).
try {
    $k = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate'
    $src = Get-Cim 'root/ccm/SoftwareUpdates/WUAHandler' 'CCM_UpdateSource' | Select-Object -First 1
    $u = [ordered]@{ wu_server = [string](Get-RegValue $k 'WUServer'); wu_status_server = [string](Get-RegValue $k 'WUStatusServer')
        use_wu_server = Get-RegValue ($k + '\AU') 'UseWUServer'; alternate_url = [string](Get-RegValue $k 'UpdateServiceUrlAlternate')
        ccm_content_location = [string]$src.ContentLocation; client_asmx = $null }
    if ($u.wu_server) { $u.client_asmx = Test-WinHttp ($u.wu_server.TrimEnd('/') + '/ClientWebService/client.asmx') }
    Out-Section 'update_source' $u
} catch { Out-Failure 'update_source' $_ }
