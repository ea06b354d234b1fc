set terminal pngcairo size 900,600 font ',11'
set output 'docs/hessian_sweep.png'
set logscale x 2
set logscale y 10
set grid
set key bottom left
set format y '%g'
set xlabel 'width m'
set ylabel 'max_i ‖H_{F_i}‖_2'
set title 'Theorem 5: transition to linearity (2 hidden tanh layers, d = 5, n = 4)'
plot 'docs/hessian_sweep.dat' index 0 u 1:2 w lp pt 7 lw 2 t sprintf('certified sup over B(w_0, 1) (slope %.2f)', -0.469483), '' index 0 u 1:3 w lp pt 5 lw 2 t sprintf('certified at w_0 (slope %.2f)', -0.438784), '' index 0 u 1:4 w lp pt 9 lw 2 t sprintf('true ‖H_F(w_0)‖ (slope %.2f)', -0.476478), '' index 0 u 1:(0.12335218495931295*sqrt(64/$1)) w l dt 2 lc rgb 'gray' t 'reference slope -1/2'
