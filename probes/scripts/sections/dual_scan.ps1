# Source: learn.microsoft.com/mem/configmgr/sum/deploy-use/integrate-windows-update-for-business-windows-10
# (deferral policies with UseWUServer cause dual scan; DisableDualScan).
try {
    $wu = Get-ItemProperty 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate' -ErrorAction SilentlyContinue
    $r.dual_scan = [ordered]@{ defer_quality_updates = $wu.DeferQualityUpdates; defer_feature_updates = $wu.DeferFeatureUpdates
        branch_readiness_level = $wu.BranchReadinessLevel; disable_dual_scan = $wu.DisableDualScan }
} catch { $r.errors.dual_scan = $_.Exception.Message }
