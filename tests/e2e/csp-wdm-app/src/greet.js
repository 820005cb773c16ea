export const greet = () => 'bundle ran';
