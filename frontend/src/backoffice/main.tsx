// The box office: a screen of the chain's dashboard (placeholder until it is built).
const root = document.getElementById("box-office");
if (root) root.textContent = "Box office";
