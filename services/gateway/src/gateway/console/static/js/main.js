// Entry point: start the console once the vendored ECharts has loaded.
import { start } from "./app.js";

start();
