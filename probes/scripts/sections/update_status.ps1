# Source: seed article 1 - CCM_UpdateStatus in root\CCM\SoftwareUpdates\UpdatesStore (Article, UniqueId, Status,
# ScanTime, Title: rzander/sccmclictrlib SoftwareUpdates.cs); SupportArticles-docs track-software-update-compliance-
# assessment.md (ScanTime).
try {
    $all = @(Get-Cim 'root/ccm/SoftwareUpdates/UpdatesStore' 'CCM_UpdateStatus')
    $want = @($P.kbs | Where-Object { $_ })
    $last = $all | Where-Object { $_.ScanTime } | ForEach-Object { [datetime]$_.ScanTime } | Sort-Object | Select-Object -Last 1
    $rows = @($all | Where-Object { $want.Count -eq 0 -or $want -contains ('KB' + $_.Article) } | Select-Object -First 500)
    Out-Section 'update_status' ([ordered]@{ last_scan = (ConvertTo-IsoTime $last)
        statuses = @($rows | ForEach-Object { [ordered]@{ article = 'KB' + $_.Article; unique_id = [string]$_.UniqueId; title = [string]$_.Title; status = [string]$_.Status } }) })
} catch { Out-Failure 'update_status' $_ }
