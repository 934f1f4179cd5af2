/* The table preview (CKAN's datatables view) says when a total is an estimate.
 * Above ckanext.regionaliot.datastore.total_estimation_threshold datastore_search answers an
 * estimated total (total_was_estimated: true, total.py); the preview's ajax (views.py) passes
 * that on as recordsTotalEstimated / recordsFilteredEstimated, and this info callback shows
 * such a number with 約 / "about" (the texts come translated from the template,
 * templates/datatables/datatables_view.html). Exact totals keep DataTables' own text. */
(function ($) {
  "use strict";
  if (!$ || !$.fn || !$.fn.dataTable) { return; }

  function texts() {
    var el = document.getElementById("regionaliot-dt-estimates");
    return {
      info: el ? el.getAttribute("data-info") : "",
      filtered: el ? el.getAttribute("data-info-filtered") : ""
    };
  }

  function info(settings, start, end, max, total, pre) {
    var json = settings.json || {};
    var ours = texts();
    var filteredEstimated = json.recordsFilteredEstimated === true && total && ours.info;
    var totalEstimated = json.recordsTotalEstimated === true && total !== max && ours.filtered;
    if (!filteredEstimated && !totalEstimated) { return pre; }
    // What DataTables' _fnUpdateInfo builds, with our text where a number is estimated.
    var lang = settings.oLanguage;
    var out = total ? (filteredEstimated ? ours.info : lang.sInfo) : lang.sInfoEmpty;
    if (total !== max) {
      out += " " + (totalEstimated ? ours.filtered : lang.sInfoFiltered);
    }
    out += lang.sInfoPostFix;
    return $.fn.dataTable.ext.internal._fnInfoMacros(settings, out);
  }

  // Before the view's module creates its table (CKAN initialises modules when the page is
  // ready); the datatables view sets no info callback of its own.
  $.fn.dataTable.defaults.fnInfoCallback = info;
})(window.jQuery);
