# Source: seed article 1 - CCM_UpdateStatus in root\CCM\SoftwareUpdates\UpdatesStore (Status Missing);
# SupportArticles-docs track-software-update-compliance-assessment.md (ScanTime).
try {
    $all = Get-CimInstance -Namespace 'root/ccm/SoftwareUpdates/UpdatesStore' -ClassName CCM_UpdateStatus
    $want = @($P.kbs)
    $rows = @($all | Where-Object { $want.Count -eq 0 -or $want -contains ('KB' + $_.Article) } | Select-Object -First 200)
    $r.update_status = [ordered]@{ last_scan = ($all | Measure-Object -Property ScanTime -Maximum).Maximum
        statuses = @($rows | ForEach-Object { [ordered]@{ article = 'KB' + $_.Article; title = [string]$_.Title; status = [string]$_.Status } }) }
} catch { $r.errors.update_status = $_.Exception.Message }
