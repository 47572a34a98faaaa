// Aanwezigheid: where the browser reads QR codes (BarcodeDetector), a button that opens the
// camera and adds each scanned attendance code to the codes field. Without it the codes are
// typed, or the people ticked in the list.
(function () {
  var scan = document.querySelector("[data-scan]");
  var field = document.getElementById("codes");
  if (!scan || !field || !("BarcodeDetector" in window) || !navigator.mediaDevices) {
    return;
  }
  var start = scan.querySelector("[data-scan-start]");
  var video = scan.querySelector("[data-scan-video]");
  var status = scan.querySelector("[data-scan-status]");
  var stream = null;
  var detector = null;

  function codes() {
    return field.value.split(/[\n,;]/).map(function (c) { return c.trim(); }).filter(Boolean);
  }

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
    }
    stream = null;
    video.hidden = true;
    start.textContent = "Scan een kaart met de camera";
  }

  function look() {
    if (!stream) {
      return;
    }
    detector.detect(video).then(function (found) {
      found.forEach(function (code) {
        var value = (code.rawValue || "").trim();
        if (value && codes().indexOf(value) === -1) {
          field.value = codes().concat([value]).join("\n");
          status.textContent = "Code gelezen: " + value + ". Scan de volgende kaart.";
        }
      });
    }).catch(function () {}).then(function () {
      window.setTimeout(look, 300);
    });
  }

  BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") === -1) {
      return;
    }
    detector = new BarcodeDetector({ formats: ["qr_code"] });
    scan.hidden = false;
    start.addEventListener("click", function () {
      if (stream) {
        stop();
        return;
      }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        video.play();
        start.textContent = "Stop de camera";
        status.textContent = "Houd de QR-code Aanwezigheid van de kaart voor de camera.";
        look();
      }).catch(function () {
        status.textContent = "De camera kan niet geopend worden. Typ de code, of vink de persoon aan.";
      });
    });
  }).catch(function () {});
})();
