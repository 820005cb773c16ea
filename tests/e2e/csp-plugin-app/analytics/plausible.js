// As uptime-kuma's server/analytics/plausible-analytics.js: the script's URL is the admin's setting.
function getAnalyticsScript(scriptUrl, domain) {
  return `<script defer src="${scriptUrl}" data-domain="${domain}"></script>`;
}

module.exports = { getAnalyticsScript };
